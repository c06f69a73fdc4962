/**
 * Running the compiled bench drivers (bench/.out/bench/drivers/<name>.js) the way the runner does:
 * one child process per case, one BENCH_RESULT line read back. Shared by the optional-engine driver
 * tests (test/bench/ort.test.ts, tfjs.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCase } from '../../bench/cases.js';
import { RESULT_PREFIX, driverArgv, type DriverResult, type TimingPlan } from '../../bench/drivers/protocol.js';
import { ensureBuilt, root } from './dist.js';

const OUT = join(root, 'bench', '.out', 'bench', 'drivers');

/** Builds dist/ (the rnnkit drivers import it as 'rnnkit') and compiles bench/; throws when `driver` did not come out. */
export function compileBenchDriver(driver: string): void {
  ensureBuilt();
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'bench/tsconfig.json'], { cwd: root, encoding: 'utf8' });
  if (!existsSync(join(OUT, `${driver}.js`))) throw new Error(`bench did not compile: ${tsc.stdout}${tsc.stderr}`);
}

/** One driver process on one case; its result line parsed. */
export function runBenchDriver(driver: string, benchCase: BenchCase, plan: TimingPlan, threads = 1): DriverResult {
  const child = spawnSync(process.execPath, [join(OUT, `${driver}.js`), ...driverArgv(benchCase, threads, plan)], {
    cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, RNNKIT_NUM_THREADS: String(threads) },
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (line === undefined) throw new Error(`${driver} printed no result (status ${child.status}): ${child.stderr}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as DriverResult;
}

/** rnnkit's own result on the case: the native driver, or the js driver when the addon is not built. */
export function rnnkitReference(benchCase: BenchCase, plan: TimingPlan): DriverResult {
  const native = runBenchDriver('native', benchCase, plan);
  return native.ok ? native : runBenchDriver('js', benchCase, plan);
}
