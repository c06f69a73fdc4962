/**
 * The TensorFlow.js bench driver end to end, as the runner starts it: the compiled
 * bench/.out/bench/drivers/tfjs.js in a child process, resolving tfjs from bench/optional, printing
 * one BENCH_RESULT line whose checksum agrees with rnnkit's native driver (the js driver when the
 * addon is not built) under the bench's own tolerance (table.ts compareRows): the PyTorch → Keras
 * weight mapping (transposed kernels, one summed bias, gate order, bidirectional halves) is right.
 *
 * The cases are small shapes of the bench's training cases (a driver takes any case as JSON), so the
 * test checks the mapping in seconds; tfjs takes minutes on the real shapes.
 * Needs `npm run bench:setup`: skipped otherwise.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecurrentCase } from '../../bench/cases.js';
import { isOptionalInstalled } from '../../bench/drivers/optional.js';
import type { TimingPlan } from '../../bench/drivers/protocol.js';
import { compareRows, toRow } from '../../bench/table.js';
import { compileBenchDriver, rnnkitReference, runBenchDriver } from '../helpers/bench_drivers.js';

const tfjsInstalled = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-layers'].every(isOptionalInstalled);

/** Two samples of one iteration: this checks the plumbing and the numbers, not the speed. */
const PLAN: TimingPlan = { warmup: 1, targetMs: 1, minReps: 2, maxReps: 2, minSampleMs: 0 };


function trainingCase(cell: RecurrentCase['cell'], shape: Partial<RecurrentCase> = {}): RecurrentCase {
  return {
    kind: 'recurrent', id: `test-${cell}`, title: `test ${cell}`, cell, inputSize: 7, hiddenSize: 11, numLayers: 2,
    bidirectional: false, T: 5, B: 3, pass: 'train', ...shape,
  };
}

/** tfjs and rnnkit on one case: both ran, and the bench's checksum check passes. */
function agree(benchCase: RecurrentCase): void {
  const tfjs = runBenchDriver('tfjs', benchCase, PLAN);
  if (!tfjs.ok) throw new Error(`tfjs: ${tfjs.reason}`);
  const reference = rnnkitReference(benchCase, PLAN);
  expect(reference.ok).toBe(true);
  const rows = [toRow(benchCase, 1, reference.driver, reference, null), toRow(benchCase, 1, 'tfjs', tfjs, null)];
  compareRows(rows);
  expect(Object.keys(tfjs.checksum).sort()).toEqual(Object.keys((reference as { checksum: Record<string, number> }).checksum).sort());
  expect(rows[1]!.check).toBe('ok');
  expect(tfjs.info).toMatchObject({ engine: 'tfjs', backend: 'cpu' });
  expect(tfjs.timesMs.length).toBeGreaterThanOrEqual(1);
  expect(rows[0]!.speedVs.tfjs).toBeGreaterThan(0); // the runner's "vs tfjs" ratio
}

describe.skipIf(!tfjsInstalled)('TensorFlow.js bench driver', () => {
  beforeAll(() => compileBenchDriver('tfjs'), 180_000);

  it('trains a 2-layer LSTM with the same gradients as rnnkit', () => agree(trainingCase('lstm')), 120_000);

  it('trains a 2-layer bidirectional LSTM with the same gradients as rnnkit', () => agree(trainingCase('lstm', { bidirectional: true })), 120_000);

  it('trains a plain tanh RNN with the same gradients as rnnkit', () => agree(trainingCase('rnn', { numLayers: 1, B: 1 })), 120_000);

  it('reports the GRU, inference cases and more than one thread as not measured, not as failures', () => {
    const gru = runBenchDriver('tfjs', trainingCase('gru'), PLAN);
    expect(gru).toMatchObject({ ok: false, driver: 'tfjs' });
    expect((gru as { reason: string }).reason).toMatch(/reset_after/);
    const infer = runBenchDriver('tfjs', trainingCase('lstm', { pass: 'infer' }), PLAN);
    expect((infer as { reason: string }).reason).toMatch(/training cases only/);
    const threads = runBenchDriver('tfjs', trainingCase('lstm'), PLAN, 2);
    expect((threads as { reason: string }).reason).toMatch(/single-threaded/);
  }, 60_000);
});
