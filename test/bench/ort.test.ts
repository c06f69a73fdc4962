/**
 * The onnxruntime-node bench driver end to end, as the runner starts it: the compiled
 * bench/.out/bench/drivers/ort.js in a child process, resolving onnxruntime-node from bench/optional,
 * exporting the torch model to ONNX on first use, printing one BENCH_RESULT line whose checksum
 * agrees with rnnkit's native driver (the js driver when the addon is not built) under the bench's
 * own tolerance (table.ts compareRows).
 *
 * Needs `npm run bench:setup` and /usr/bin/python3 with torch (for the export): skipped otherwise.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { caseById, quickCase } from '../../bench/cases.js';
import { isOptionalInstalled } from '../../bench/drivers/optional.js';
import type { TimingPlan } from '../../bench/drivers/protocol.js';
import { compareRows, toRow } from '../../bench/table.js';
import { compileBenchDriver, rnnkitReference, runBenchDriver } from '../helpers/bench_drivers.js';

const PYTHON = '/usr/bin/python3';
const ortInstalled = isOptionalInstalled('onnxruntime-node');
// Only asked when ORT is there (importing torch takes a second or two).
const torchAvailable = ortInstalled && existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

/** One sample of one iteration: this checks the plumbing and the numbers, not the speed. */
const PLAN: TimingPlan = { warmup: 1, targetMs: 1, minReps: 1, maxReps: 1, minSampleMs: 0 };


/** ORT and rnnkit on one case: both ran, and the bench's checksum check passes. */
function agree(id: string): void {
  const benchCase = quickCase(caseById(id)!);
  const ort = runBenchDriver('ort', benchCase, PLAN);
  if (!ort.ok) throw new Error(`ort: ${ort.reason}`);
  const reference = rnnkitReference(benchCase, PLAN);
  expect(reference.ok).toBe(true);
  const rows = [toRow(benchCase, 1, reference.driver, reference, null), toRow(benchCase, 1, 'ort', ort, null)];
  compareRows(rows);
  expect(Object.keys(ort.checksum)).toEqual(Object.keys((reference as { checksum: Record<string, number> }).checksum));
  expect(rows[1]!.check).toBe('ok');
  expect(ort.info).toMatchObject({ engine: 'onnxruntime-node', intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  expect(ort.timesMs).toHaveLength(1);
  expect(rows[0]!.speedVs.ort).toBeGreaterThan(0); // the runner's "vs ORT" ratio
}

describe.skipIf(!torchAvailable)('onnxruntime-node bench driver', () => {
  beforeAll(() => compileBenchDriver('ort'), 180_000);

  it('runs a whole-sequence inference case and agrees with rnnkit', () => agree('lstm-2l-h512-infer'), 120_000);

  it('runs the streaming case one session.run per step, feeding h and c back, and agrees', () => agree('stream-lstm-h256'), 120_000);

  it('reports training cases as not measured, not as a failure', () => {
    const result = runBenchDriver('ort', quickCase(caseById('lstm-2l-h512-train')!), PLAN);
    expect(result).toMatchObject({ ok: false, driver: 'ort' });
    expect((result as { reason: string }).reason).toMatch(/training is not measured/);
  }, 60_000);
});
