/**
 * Quick start: an LSTM learns to keep a running total. Each sequence is 30 steps of uniform noise in
 * [-1, 1]; the label is whether the sequence sums to more than zero. The classifier reads the whole
 * sequence and answers from its final state (many-to-one), so it must accumulate every step in its
 * cell state rather than look at the last few values. Chance is 50%.
 *
 *   npm run example:quickstart            (about 15 seconds with the compile)
 *   npm run example:quickstart -- --steps 50
 */
import { LSTM, Linear, Adam, tensor, crossEntropy, clipGradNorm, noGrad, manualSeed, Rng, getBackend } from 'rnnkit';
import type { Tensor } from 'rnnkit';

const T = 30;
const B = 32;
const hidden = 32;
const argIndex = process.argv.indexOf('--steps');
const steps = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 300;
if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`--steps must be a positive integer, got ${process.argv[argIndex + 1]}`);

manualSeed(1);
const rng = new Rng(42);

/** A batch: x [T, B, 1] uniform noise; the label of row b is whether Σ_t x[t, b] > 0. */
function batch(): { x: Tensor; labels: number[] } {
  const x = new Float32Array(T * B);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-1, 1);
  const labels = Array.from({ length: B }, (_, b) => {
    let total = 0;
    for (let t = 0; t < T; t++) total += x[t * B + b]!;
    return total > 0 ? 1 : 0;
  });
  return { x: tensor(x, [T, B, 1]), labels };
}

const lstm = new LSTM({ inputSize: 1, hiddenSize: hidden });
const head = new Linear({ inFeatures: hidden, outFeatures: 2 });
const optimizer = new Adam([...lstm.parameters(), ...head.parameters()], { lr: 1e-2 });

function logits(x: Tensor): Tensor {
  const [, [hN]] = lstm.forward(x);           // hN [1, B, H]: the state after the last step
  return head.forward(hN.reshape([B, hidden])); // [B, 2]
}

console.log(`backend: ${getBackend().name}; LSTM(1→${hidden}) + Linear, T=${T}, B=${B}, ${steps} steps of Adam`);
const started = performance.now();
for (let step = 1; step <= steps; step++) {
  const { x, labels } = batch();
  optimizer.zeroGrad();
  const loss = crossEntropy(logits(x), labels);
  loss.backward();
  clipGradNorm([...lstm.parameters(), ...head.parameters()], 5);
  optimizer.step();
  if (step % 25 === 0 || step === steps) {
    const seconds = (performance.now() - started) / 1000;
    console.log(`step ${String(step).padStart(4)}  loss ${loss.item().toFixed(4)}  ${Math.round((step * T * B) / seconds)} tokens/s`);
  }
}

// Held-out accuracy on fresh sequences.
let correct = 0;
const evalBatches = 20;
noGrad(() => {
  for (let i = 0; i < evalBatches; i++) {
    const { x, labels } = batch();
    const out = logits(x).data;
    labels.forEach((label, b) => (correct += Number((out[2 * b + 1]! > out[2 * b]! ? 1 : 0) === label)));
  }
});
console.log(`held-out accuracy: ${((100 * correct) / (evalBatches * B)).toFixed(1)}% (chance 50%)`);
