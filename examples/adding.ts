/**
 * The adding problem (Hochreiter & Schmidhuber 1997, experiment 4; the form of Le et al. 2015):
 * each input is T steps of two channels, a value drawn from U(0, 1) and a marker that is 1 at
 * exactly two steps, one in each half of the sequence, and 0 elsewhere. The target is the sum of the
 * two marked values. A model must carry the first marked value across ~T/2 steps of distraction.
 * Always predicting the mean (1) scores MSE = Var(u1 + u2) = 2/12 ≈ 0.167.
 *
 * An LSTM (forget-gate bias 1, Adam) and a simple tanh RNN get the same sizes, data and step
 * budget; the LSTM's cell state carries the value and its error falls below 0.01, while the RNN's
 * gradient from the target vanishes over the T/2 steps and it stays at the mean predictor's 0.167.
 *
 *   npx tsc -p tsconfig.json && npx tsc -p examples/tsconfig.json && node build-examples/adding.js
 *   node build-examples/adding.js --model lstm --steps 3000 --T 100 --hidden 16 --batch 32 --lr 0.01
 */
import { LSTM, RNN, Linear, Module, Adam, Rng, tensor, mseLoss, noGrad, manualSeed, init, fit, getBackend } from 'rnnkit';
import type { Tensor, EpochLog } from 'rnnkit';

// ---- command line ----
function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}
function intOption(name: string, fallback: number): number {
  const v = Number(option(name, String(fallback)));
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${name} must be a positive integer, got ${option(name, '')}`);
  return v;
}
const T = intOption('T', 100);
const hidden = intOption('hidden', 16);
const batchSize = intOption('batch', 32);
const steps = intOption('steps', 3000);
const evalEvery = intOption('eval-every', 100);
const seed = intOption('seed', 1);
const lr = Number(option('lr', '0.01'));
const which = option('model', 'both');
if (!['lstm', 'rnn', 'both'].includes(which)) throw new RangeError(`--model must be lstm, rnn or both, got ${which}`);
if (T < 2 || T % 2 !== 0) throw new RangeError(`--T must be an even integer >= 2, got ${T}`);

// ---- data ----
interface Batch { x: Tensor; y: Tensor } // x [T, B, 2], y [B, 1]

/** B sequences: channel 0 values U(0,1), channel 1 markers at one step in each half; y = sum of the marked values. */
function makeBatch(rng: Rng, B: number): Batch {
  const x = new Float32Array(T * B * 2);
  const y = new Float32Array(B);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) x[(t * B + b) * 2] = rng.random();
    const first = rng.int(T / 2);
    const second = T / 2 + rng.int(T / 2);
    x[(first * B + b) * 2 + 1] = 1;
    x[(second * B + b) * 2 + 1] = 1;
    y[b] = x[(first * B + b) * 2]! + x[(second * B + b) * 2]!;
  }
  return { x: tensor(x, [T, B, 2]), y: tensor(y, [B, 1]) };
}

// ---- model: a recurrent layer, then a linear read-out of the last hidden state ----
class Adder extends Module {
  readonly rnn: LSTM | RNN;
  readonly head: Linear;
  constructor(kind: 'lstm' | 'rnn') {
    super();
    this.rnn = kind === 'lstm' ? new LSTM({ inputSize: 2, hiddenSize: hidden }) : new RNN({ inputSize: 2, hiddenSize: hidden });
    this.head = new Linear({ inFeatures: hidden, outFeatures: 1 });
  }
  forward(x: Tensor): Tensor {
    const [, state] = this.rnn.forward(x);
    const hN = Array.isArray(state) ? state[0] : state; // [1, B, H]
    return this.head.forward(hN.reshape([x.shape[1]!, hidden])); // [B, 1]
  }
}

// A fixed held-out set, the same for both models.
const heldOut = Array.from({ length: 4 }, (_, i) => makeBatch(new Rng(10_000 + i), 256));

async function run(kind: 'lstm' | 'rnn'): Promise<{ kind: string; seconds: number; mse: number; firstBelow: number | null }> {
  manualSeed(seed);
  const model = new Adder(kind);
  if (kind === 'lstm') init.lstmForgetGateBias(model, 1);
  const optimizer = new Adam(model.parameters(), { lr });
  const dataRng = new Rng(seed + 1);
  console.log(`\n${kind.toUpperCase()}: T=${T}, hidden ${hidden}, batch ${batchSize}, ${steps} steps of Adam (lr ${lr}), gradient norm clipped at 1`);
  const started = performance.now();
  let firstBelow: number | null = null;
  const epochs = Math.ceil(steps / evalEvery);
  const history = await fit(model, {
    // Fresh random sequences every step: each "epoch" is evalEvery steps, then the held-out MSE.
    data: ({ epoch }) => Array.from({ length: Math.min(evalEvery, steps - epoch * evalEvery) }, () => makeBatch(dataRng, batchSize)),
    validationData: heldOut,
    epochs,
    optimizer,
    loss: (m: Adder, b: Batch) => ({ loss: mseLoss(m.forward(b.x), b.y), count: b.y.shape[0]! }),
    gradClipNorm: 1,
    rngs: { data: dataRng },
    stepsPerEpoch: evalEvery,
    callbacks: [{ onEpochEnd: (trainer, log: EpochLog) => { if (firstBelow === null && log.valLoss! < 0.01) firstBelow = trainer.step; } }],
  });
  const seconds = (performance.now() - started) / 1000;
  const mse = noGrad(() => {
    let sum = 0;
    for (const b of heldOut) sum += mseLoss(model.forward(b.x), b.y).item() * b.y.shape[0]!;
    return sum / heldOut.reduce((n, b) => n + b.y.shape[0]!, 0);
  });
  if (history.epochs.at(-1)!.valLoss !== mse) throw new Error('internal: the held-out MSE disagrees with fit’s validation');
  return { kind, seconds, mse, firstBelow };
}

console.log(`backend: ${getBackend().name}; mean predictor MSE = 2/12 = ${(2 / 12).toFixed(4)}`);
const results = [];
for (const kind of which === 'both' ? (['lstm', 'rnn'] as const) : [which as 'lstm' | 'rnn']) results.push(await run(kind));
console.log(`\nadding problem, T=${T}, ${steps} steps, held-out MSE on ${heldOut.length * 256} sequences:`);
for (const r of results) {
  const verdict = r.mse < 0.01 ? 'solved' : r.mse > 0.1 ? 'failed (mean predictor)' : 'partly';
  const when = r.firstBelow === null ? '' : `, below 0.01 by step ${r.firstBelow}`;
  console.log(`  ${r.kind.padEnd(4)}  MSE ${r.mse.toFixed(4)}  ${verdict}${when}  (${r.seconds.toFixed(0)} s)`);
}
