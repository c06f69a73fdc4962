/**
 * What the runner (bench/index.ts) and a driver process say to each other, and the timing rule
 * every driver follows. torch.py implements the same protocol and the same rule in Python; keep the
 * two in step (search for "protocol.ts" there).
 *
 * A driver is started once per (case, driver, threads) cell with
 *   --case '<BenchCase as JSON>' --threads N --warmup W --target-ms T --min-reps a --max-reps b --min-sample-ms s
 * and prints exactly one line `BENCH_RESULT {json}` on stdout (a DriverResult), whether it could
 * measure or not. Everything else it prints is ignored (the runner shows stderr on failure).
 *
 * Timing rule: W warm-up iterations (fewer if one alone exceeds T ms: the JIT is warm after a long
 * iteration), then samples of `inner` back-to-back iterations, inner chosen so a sample lasts at
 * least s ms (fast GEMMs), and N = clamp(round(T / sample), a, b) samples. The reported time is the
 * median sample divided by inner.
 *
 * Deterministic data: every driver fills weights and inputs with the same integer hash (fillHash),
 * so the runner can compare checksums of the results across drivers and flag a driver that computes
 * something else.
 */
import type { BenchCase } from '../cases.js';

export interface TimingPlan {
  warmup: number;
  targetMs: number;
  minReps: number;
  maxReps: number;
  minSampleMs: number;
}

export interface DriverArgs {
  benchCase: BenchCase;
  threads: number;
  plan: TimingPlan;
}

export interface DriverSuccess {
  ok: true;
  driver: string;
  /** Per-iteration time of each sample, ms. */
  timesMs: number[];
  medianMs: number;
  /** Iterations per sample. */
  inner: number;
  /** Named sums of results after one iteration from the initial state, compared across drivers. */
  checksum: Record<string, number>;
  /** Peak resident set of the whole driver process, MB (includes the runtime). */
  maxRssMb: number;
  /** Resident set after loading the runtime and library, before building the case, MB. */
  baseRssMb: number;
  /** Backend, library version, thread settings: whatever tells a reader what ran. */
  info: Record<string, unknown>;
}

export interface DriverFailure {
  ok: false;
  driver: string;
  reason: string;
}

export type DriverResult = DriverSuccess | DriverFailure;

export const RESULT_PREFIX = 'BENCH_RESULT ';

/** The command-line arguments the runner passes for one cell. */
export function driverArgv(benchCase: BenchCase, threads: number, plan: TimingPlan): string[] {
  return [
    '--case', JSON.stringify(benchCase), '--threads', String(threads), '--warmup', String(plan.warmup),
    '--target-ms', String(plan.targetMs), '--min-reps', String(plan.minReps), '--max-reps', String(plan.maxReps),
    '--min-sample-ms', String(plan.minSampleMs),
  ];
}

/** Parses what driverArgv produced. Throws on anything else (the runner never sends it). */
export function parseDriverArgv(argv: readonly string[]): DriverArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]!;
    const value = argv[i + 1];
    if (!key.startsWith('--') || value === undefined) throw new RangeError(`driver arguments must be --key value pairs, got ${JSON.stringify(argv)}`);
    values.set(key.slice(2), value);
  }
  const need = (key: string): string => {
    const value = values.get(key);
    if (value === undefined) throw new RangeError(`driver argument --${key} is required`);
    return value;
  };
  const int = (key: string): number => {
    const value = Number(need(key));
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`--${key} must be a non-negative integer, got ${need(key)}`);
    return value;
  };
  return {
    benchCase: JSON.parse(need('case')) as BenchCase,
    threads: int('threads'),
    plan: {
      warmup: int('warmup'), targetMs: Number(need('target-ms')), minReps: int('min-reps'),
      maxReps: int('max-reps'), minSampleMs: Number(need('min-sample-ms')),
    },
  };
}

/** Iterations per sample and samples, from the last warm-up's time (the timing rule above). */
function sampling(lastMs: number, plan: TimingPlan): { inner: number; reps: number } {
  const inner = Math.max(1, Math.ceil(plan.minSampleMs / Math.max(lastMs, 1e-4)));
  const reps = Math.min(plan.maxReps, Math.max(plan.minReps, Math.round(plan.targetMs / (inner * Math.max(lastMs, 1e-4)))));
  return { inner, reps };
}

/** Runs `step` under the timing rule above; returns per-iteration sample times (ms) and inner. */
export function measure(step: () => void, plan: TimingPlan): { timesMs: number[]; inner: number } {
  let lastMs = 0;
  const warmups = Math.max(1, plan.warmup); // at least one: it also estimates the iteration time
  for (let i = 0; i < warmups; i++) {
    const start = performance.now();
    step();
    lastMs = performance.now() - start;
    if (lastMs > plan.targetMs) break;
  }
  const { inner, reps } = sampling(lastMs, plan);
  const timesMs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    for (let j = 0; j < inner; j++) step();
    timesMs.push((performance.now() - start) / inner);
  }
  return { timesMs, inner };
}

/**
 * measure() for an engine whose call returns a promise (onnxruntime-node's session.run): the same
 * rule, each iteration awaited before the next starts, so the time includes what a Node caller waits.
 */
export async function measureAsync(step: () => void | Promise<void>, plan: TimingPlan): Promise<{ timesMs: number[]; inner: number }> {
  let lastMs = 0;
  const warmups = Math.max(1, plan.warmup);
  for (let i = 0; i < warmups; i++) {
    const start = performance.now();
    await step();
    lastMs = performance.now() - start;
    if (lastMs > plan.targetMs) break;
  }
  const { inner, reps } = sampling(lastMs, plan);
  const timesMs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    for (let j = 0; j < inner; j++) await step();
    timesMs.push((performance.now() - start) / inner);
  }
  return { timesMs, inner };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Fills `out` with the bench's deterministic values in [-bound, bound):
 *   u = ((i · 2654435761 + salt · 40503) mod 2³²) / 2³²,  value = (2u − 1) · bound.
 * (Knuth's multiplicative hash of the index; integer arithmetic, so Python gets the same bits.)
 */
export function fillHash(out: Float32Array, salt: number, bound: number): Float32Array {
  const offset = Math.imul(salt, 40503);
  for (let i = 0; i < out.length; i++) {
    const u = ((Math.imul(i, 2654435761) + offset) >>> 0) / 4294967296;
    out[i] = (2 * u - 1) * bound;
  }
  return out;
}

/** Salts of the non-parameter buffers (parameters use their index in the sorted name list). */
export const SALT = { x: 1000, r: 1001, a: 2000, b: 2001 } as const;

/** Prints the one result line the runner reads. */
export function emit(result: DriverResult): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/**
 * The driver's own arguments (process.argv), or null after reporting them as bad to the runner (exit
 * code 2): the first thing every driver process does.
 */
export function driverArgsOrReport(driver: string): DriverArgs | null {
  try {
    return parseDriverArgv(process.argv.slice(2));
  } catch (err) {
    emit({ ok: false, driver, reason: `bad driver arguments: ${(err as Error).message}` });
    process.exitCode = 2;
    return null;
  }
}
