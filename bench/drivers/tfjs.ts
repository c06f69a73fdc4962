/**
 * Bench driver: TensorFlow.js on its pure-JavaScript CPU backend (@tensorflow/tfjs-core +
 * tfjs-backend-cpu + tfjs-layers, optional, installed by `npm run bench:setup`), in its own process.
 * The comparison issue 7 asks of rnnkit's js backend: the training cases of the LSTM and plain RNN
 * (forward + backward of Σ out ⊙ R with every weight's gradient, like run.ts), written the way a
 * tfjs user writes them: stacked tf.layers.lstm / tf.layers.simpleRNN with returnSequences (wrapped
 * in tf.layers.bidirectional, merge 'concat', for the bidirectional case) and one tf.variableGrads
 * over the whole forward. Inference, streaming and GEMM cases report n/a; so does the GRU:
 * tf.layers.gru has no reset_after (it refuses resetAfter: true), so it computes
 * tanh(W_in x + W_hn (r ⊙ h) + b), not PyTorch's tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)): another model.
 *
 * Weights: the same fillHash values as every driver, in PyTorch's layout, mapped to Keras's:
 * kernel = W_ihᵀ [I_k, G·H], recurrent_kernel = W_hhᵀ [H, G·H], bias = b_ih + b_hh [G·H] (Keras has
 * one bias); LSTM gate order i, f, c, o is PyTorch's i, f, g, o. recurrentActivation 'sigmoid' (the
 * Keras default is hard_sigmoid). Keras layers are batch-major: x and R are transposed to [B, T, ·]
 * once, before timing. The runner checks the checksums against torch's, so a mapping error shows.
 *
 * Timing: tfjs takes 30-90 s per iteration on the H = 256/512 cases (2-layer LSTM: ~85 s, 2 GB
 * peak RSS: every step's tensors stay alive for the backward), so this driver lowers the runner's
 * minReps to 1: after the checksum iteration and the warm-up (one iteration, as it exceeds
 * targetMs), a long case gets one sample, itself an average over its T steps; short cases still get
 * targetMs worth of samples. The CPU backend is single-threaded: thread counts above 1 report n/a,
 * like the js backend.
 */
import type { BenchCase, RecurrentCase } from '../cases.js';
import { NotMeasured, loadOptional, runOptionalDriver, type PreparedEngineCase } from './optional.js';
import { SALT, fillHash, type DriverArgs } from './protocol.js';

// The slice of tfjs's API this driver uses (its types live in bench/optional, which a typecheck
// without bench:setup cannot see).
interface TfTensor {
  readonly shape: number[];
  dataSync(): Float32Array;
  dispose(): void;
}
interface TfVariable extends TfTensor {
  readonly name: string;
}
interface TfCore {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  tensor(values: Float32Array, shape: number[]): TfTensor;
  zeros(shape: number[]): TfTensor;
  transpose(x: TfTensor, perm: number[]): TfTensor;
  mul(a: TfTensor, b: TfTensor): TfTensor;
  sum(x: TfTensor): TfTensor;
  keep<T extends TfTensor>(x: T): T;
  tidy<T>(fn: () => T): T;
  variableGrads(f: () => TfTensor, varList?: TfVariable[]): { value: TfTensor; grads: Record<string, TfTensor> };
  version_core: string;
}
interface TfLayer {
  apply(x: TfTensor): TfTensor;
  setWeights(weights: TfTensor[]): void;
  readonly trainableWeights: { read(): TfVariable }[];
}
interface RecurrentLayerArgs {
  units: number;
  returnSequences: boolean;
  activation: string;
  recurrentActivation?: string;
  kernelInitializer: string;
  recurrentInitializer: string;
}
interface TfLayers {
  layers: {
    lstm(args: RecurrentLayerArgs): TfLayer;
    simpleRNN(args: RecurrentLayerArgs): TfLayer;
    bidirectional(args: { layer: TfLayer; mergeMode: 'concat' }): TfLayer;
  };
  version_layers: string;
}

function sumAbs(values: Float32Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += Math.abs(values[i]!);
  return total;
}

/** W [rows, cols] → Wᵀ [cols, rows] (PyTorch's [G·H, I_k] weights to Keras's [I_k, G·H] kernels). */
function transposed(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  }
  return out;
}

/** PyTorch's parameter names of this stack (salt of each = its index in the sorted list, as run.ts). */
function parameterNames(c: RecurrentCase): string[] {
  const names: string[] = [];
  for (let k = 0; k < c.numLayers; k++) {
    for (const suffix of c.bidirectional ? ['', '_reverse'] : ['']) {
      for (const kind of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) names.push(`${kind}_l${k}${suffix}`);
    }
  }
  return names.sort();
}

async function prepareTraining(tf: TfCore, tfl: TfLayers, c: RecurrentCase): Promise<Pick<PreparedEngineCase, 'step' | 'checksum'>> {
  const { T, B, inputSize: I, hiddenSize: H, numLayers: L } = c;
  const D = c.bidirectional ? 2 : 1;
  const G = c.cell === 'lstm' ? 4 : 1;
  const names = parameterNames(c);
  const torchParameter = (name: string, n: number): Float32Array => fillHash(new Float32Array(n), names.indexOf(name), 1 / Math.sqrt(H));

  const layers: TfLayer[] = [];
  for (let k = 0; k < L; k++) {
    const Ik = k === 0 ? I : D * H;
    const make = (): TfLayer => {
      // The initializers are overwritten below; 'zeros' skips Keras's orthogonal init (a slow QR in JS).
      const args = { units: H, returnSequences: true, activation: 'tanh', kernelInitializer: 'zeros', recurrentInitializer: 'zeros' };
      return c.cell === 'lstm' ? tfl.layers.lstm({ ...args, recurrentActivation: 'sigmoid' }) : tfl.layers.simpleRNN(args);
    };
    const layer = c.bidirectional ? tfl.layers.bidirectional({ layer: make(), mergeMode: 'concat' }) : make();
    tf.tidy(() => { layer.apply(tf.zeros([1, 1, Ik])); }); // builds the weights
    const weights: TfTensor[] = [];
    for (const suffix of c.bidirectional ? ['', '_reverse'] : ['']) {
      const wIh = torchParameter(`weight_ih_l${k}${suffix}`, G * H * Ik); // [G·H, I_k]
      const wHh = torchParameter(`weight_hh_l${k}${suffix}`, G * H * H); //  [G·H, H]
      const bIh = torchParameter(`bias_ih_l${k}${suffix}`, G * H);
      const bHh = torchParameter(`bias_hh_l${k}${suffix}`, G * H);
      weights.push(
        tf.tensor(transposed(wIh, G * H, Ik), [Ik, G * H]), tf.tensor(transposed(wHh, G * H, H), [H, G * H]),
        tf.tensor(bIh.map((v, j) => v + bHh[j]!), [G * H]),
      );
    }
    layer.setWeights(weights); // Bidirectional: the first half is the forward layer's
    for (const w of weights) w.dispose();
    layers.push(layer);
  }
  // Every trainable variable, in order: per layer [kernel, recurrent_kernel, bias] (forward first).
  const variables = layers.flatMap((layer) => layer.trainableWeights.map((w) => w.read()));
  const perDirection = 3;
  const wHhL0 = variables[1]!; // layer 0 (forward) recurrent_kernel = W_hh_l0ᵀ
  const wIhLast = variables[(L - 1) * D * perDirection]!; // last layer (forward) kernel = W_ih_l{L-1}ᵀ

  const x = tf.transpose(tf.tensor(fillHash(new Float32Array(T * B * I), SALT.x, 1), [T, B, I]), [1, 0, 2]); // [B, T, I]
  const r = tf.transpose(tf.tensor(fillHash(new Float32Array(T * B * D * H), SALT.r, 1), [T, B, D * H]), [1, 0, 2]); // [B, T, D·H]
  let keepOut = false;
  let out: TfTensor | null = null;
  const loss = (): TfTensor => {
    let h = x;
    for (const layer of layers) h = layer.apply(h); // [B, T, D·H]
    if (keepOut) out = tf.keep(h);
    return tf.sum(tf.mul(h, r));
  };
  const trainStep = (): Record<string, TfTensor> => tf.variableGrads(loss, variables).grads;
  return {
    step: () => { tf.tidy(() => { trainStep(); }); },
    checksum: () => {
      keepOut = true;
      const result = tf.tidy(() => {
        const grads = trainStep();
        const sums: Record<string, number> = { sumAbsOut: sumAbs(out!.dataSync()) };
        // Σ|dWᵀ| = Σ|dW|: the transposed layout does not change the checksum.
        sums.sumAbsGrad_weight_hh_l0 = sumAbs(grads[wHhL0.name]!.dataSync());
        sums[`sumAbsGrad_weight_ih_l${L - 1}`] = sumAbs(grads[wIhLast.name]!.dataSync());
        return sums;
      });
      out!.dispose();
      keepOut = false;
      out = null;
      return result;
    },
  };
}

async function prepare(tf: TfCore, args: DriverArgs, c: BenchCase): Promise<PreparedEngineCase> {
  if (c.kind !== 'recurrent' || c.pass !== 'train') throw new NotMeasured('training cases only (the js backend is compared with tfjs on training)');
  if (c.cell === 'gru') throw new NotMeasured("tf.layers.gru has no reset_after: PyTorch's GRU is another model");
  if (args.threads !== 1) throw new NotMeasured("tfjs's cpu backend is single-threaded: see threads=1");
  loadOptional<unknown>('@tensorflow/tfjs-backend-cpu'); // registers the 'cpu' backend with tfjs-core
  const tfl = loadOptional<TfLayers>('@tensorflow/tfjs-layers');
  await tf.setBackend('cpu');
  await tf.ready();
  args.plan.minReps = 1; // see the header: long cases get one sample after the warm-up
  const built = await prepareTraining(tf, tfl, c);
  const layer = c.cell === 'lstm' ? 'tf.layers.lstm' : 'tf.layers.simpleRNN';
  return {
    ...built,
    info: {
      engine: 'tfjs', version: tf.version_core, layers: tfl.version_layers, backend: tf.getBackend(),
      summary: `TensorFlow.js ${tf.version_core} (tfjs-core + tfjs-backend-cpu + tfjs-layers), ${tf.getBackend()} backend (pure JS), ` +
        `stacked ${layer} layers, one tf.variableGrads per training step, minReps 1`,
    },
  };
}

void runOptionalDriver<TfCore>('tfjs', '@tensorflow/tfjs-core', prepare);
