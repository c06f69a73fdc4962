/**
 * A/B comparison of kernel builds on a shared, noisy machine: runs gemm_bench from two (or more)
 * builds in alternation, in the order of bench/rounds.ts (A B, then B A, round after round), each run
 * a fresh process, and reports per case the best wall time and the median of the runs' medians.
 * Alternating is the point: the neighbour's bursts last seconds to minutes, and comparing a run of A
 * now with a run of B a minute later measured the burst, not the change.
 *
 *   sh bench/kernels/build.sh && cp build/bench-kernels/gemm_bench /tmp/gemm_bench.before
 *   (edit, rebuild)
 *   npm run bench:ab -- --rounds 6 --threads 1 "packed step NT" /tmp/gemm_bench.before build/bench-kernels/gemm_bench
 */
import { spawnSync } from 'node:child_process';
import { median } from '../drivers/protocol.js';
import { roundOrder } from '../rounds.js';

const USAGE = 'usage: npm run bench:ab -- [--rounds N] [--threads N] <filter> <gemm_bench A> <gemm_bench B> [...]';

interface Options {
  rounds: number;
  threads: string;
  filter: string;
  binaries: string[];
}

interface CaseResult {
  median: number;
  wallBest: number;
}

function parseArgs(argv: readonly string[]): Options {
  let rounds = 6;
  let threads = '1';
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--rounds' || flag === '--threads') {
      const value = argv[++i];
      if (value === undefined || !/^[1-9]\d*$/.test(value)) throw new RangeError(`${flag} must be a positive integer, got ${value}; ${USAGE}`);
      if (flag === '--rounds') rounds = Number(value);
      else threads = value;
    } else {
      positional.push(flag);
    }
  }
  const [filter, ...binaries] = positional;
  if (filter === undefined || binaries.length < 2) throw new RangeError(`need a filter and at least two gemm_bench binaries; ${USAGE}`);
  if (new Set(binaries).size < binaries.length) throw new RangeError(`each gemm_bench path once (to time a build against itself, copy it); ${USAGE}`);
  return { rounds, threads, filter, binaries };
}

/** gemm_bench's result lines: case name → cpu median and wall best (ms). */
function parseLines(text: string): Map<string, CaseResult> {
  const cases = new Map<string, CaseResult>();
  for (const line of text.split('\n')) {
    const m = /^(.*?)\s+cpu best\s+[\d.]+ median\s+([\d.]+) ms\s+wall best\s+([\d.]+) ms/.exec(line);
    if (m) cases.set(m[1]!, { median: Number(m[2]), wallBest: Number(m[3]) });
  }
  return cases;
}

function main(): void {
  const { rounds, threads, filter, binaries } = parseArgs(process.argv.slice(2));
  const runs = new Map(binaries.map((b) => [b, new Map<string, CaseResult[]>()])); // binary → case → one per round
  for (let round = 0; round < rounds; round++) {
    for (const binary of roundOrder(binaries, round)) {
      const child = spawnSync(binary, [filter], { encoding: 'utf8', env: { ...process.env, RNNKIT_NUM_THREADS: threads } });
      if (child.status !== 0) throw new Error(`${binary} failed (${child.error?.message ?? `exit ${child.status}`}): ${child.stderr}`);
      const perCase = runs.get(binary)!;
      for (const [name, result] of parseLines(child.stdout)) perCase.set(name, [...(perCase.get(name) ?? []), result]);
      process.stderr.write(`round ${round + 1}/${rounds} ${binary} done\n`);
    }
  }
  const first = runs.get(binaries[0]!)!;
  if (first.size === 0) throw new Error(`no case of gemm_bench matches "${filter}"`);
  for (const [name, firstResults] of first) {
    console.log(name);
    const reference = median(firstResults.map((r) => r.median));
    for (const binary of binaries) {
      const results = runs.get(binary)!.get(name) ?? [];
      const wallBest = Math.min(...results.map((r) => r.wallBest));
      const medianOfMedians = median(results.map((r) => r.median));
      console.log(`  ${binary}: wall best ${wallBest.toFixed(4)} ms, median of medians ${medianOfMedians.toFixed(4)} ms` +
        ` (${(medianOfMedians / reference).toFixed(3)}× the first)`);
    }
  }
}

try {
  main();
} catch (error) {
  console.error(`ab: ${(error as Error).message}`);
  process.exit(error instanceof RangeError ? 2 : 1);
}
