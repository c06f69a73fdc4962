/**
 * What every optional driver (registry.ts: engines such as onnxruntime-node that rnnkit does not
 * depend on) shares: finding its package in bench/optional/node_modules, and the driver process
 * around one case (arguments, timing, the one result line), like run.ts does for rnnkit's backends.
 *
 * The packages live in bench/optional (own package.json and lockfile, installed by
 * `npm run bench:setup` = `npm ci --ignore-scripts --prefix bench/optional`), never in rnnkit's
 * dependencies: onnxruntime-node's install script downloads GPU binaries. Module resolution starts
 * at bench/optional/package.json (createRequire), so it works from the compiled driver in
 * bench/.out/bench/drivers and from the TypeScript source under vitest alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from '../cases.js';
import { driverArgsOrReport, emit, measureAsync, median, type DriverArgs } from './protocol.js';

export const SETUP_HINT = 'run npm run bench:setup';

/** The repository root: the nearest directory above `start` whose package.json is rnnkit's. */
export function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'rnnkit') return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find rnnkit's package.json above ${start}`);
  }
}

export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** Where the optional engines are installed. */
export const OPTIONAL_DIR = join(ROOT, 'bench', 'optional');

const requireOptional = createRequire(join(OPTIONAL_DIR, 'package.json'));

/**
 * True when `packageName` is installed in bench/optional/node_modules (by npm run bench:setup), at
 * the version its lockfile pins; a copy further up (rnnkit's own node_modules) does not count.
 */
export function isOptionalInstalled(packageName: string): boolean {
  try {
    return requireOptional.resolve(packageName).startsWith(join(OPTIONAL_DIR, 'node_modules') + sep);
  } catch {
    return false;
  }
}

/** Loads an optional package; the error names the setup command when it is not installed. */
export function loadOptional<T>(packageName: string): T {
  if (!isOptionalInstalled(packageName)) throw new NotMeasured(`${packageName} is not installed (${SETUP_HINT})`);
  return requireOptional(packageName) as T;
}

/** A case the engine does not run, or cannot run here: the runner prints "n/a (message)". */
export class NotMeasured extends Error {
  override name = 'NotMeasured';
}

/** One case built on an engine: the timed iteration, the checksum of a fresh one, what ran. */
export interface PreparedEngineCase {
  /** One iteration (the thing timed); awaited when it returns a promise. */
  step: () => void | Promise<void>;
  /** Runs one iteration from the initial state and sums its results (the fields run.ts reports). */
  checksum: () => Record<string, number> | Promise<Record<string, number>>;
  /** Engine, version, settings; `summary` is the one line the runner prints for this driver. */
  info: Record<string, unknown> & { summary: string };
}

/** Builds a case on the loaded engine; throws NotMeasured for a case it does not run. */
export type PrepareEngineCase<Engine> = (engine: Engine, args: DriverArgs, benchCase: BenchCase) => Promise<PreparedEngineCase>;

function rssMb(): number {
  return process.memoryUsage.rss() / (1024 * 1024);
}

/**
 * The whole optional-driver process: parse the runner's arguments, load the package, build the case,
 * checksum it, time it, print one BENCH_RESULT line. Every failure becomes a result with a reason.
 */
export async function runOptionalDriver<Engine>(driver: string, packageName: string, prepare: PrepareEngineCase<Engine>): Promise<void> {
  const args = driverArgsOrReport(driver);
  if (args === null) return;
  try {
    const engine = loadOptional<Engine>(packageName);
    const baseRssMb = rssMb();
    const prepared = await prepare(engine, args, args.benchCase);
    const checksum = await prepared.checksum();
    const { timesMs, inner } = await measureAsync(prepared.step, args.plan);
    emit({
      ok: true, driver, timesMs, inner, medianMs: median(timesMs), checksum,
      maxRssMb: process.resourceUsage().maxRSS / 1024, baseRssMb,
      info: { ...prepared.info, node: process.version, threads: args.threads },
    });
  } catch (err) {
    if (err instanceof NotMeasured) {
      emit({ ok: false, driver, reason: err.message });
      return;
    }
    emit({ ok: false, driver, reason: `failed while running: ${(err as Error).stack ?? String(err)}` });
    process.exitCode = 1;
  }
}
