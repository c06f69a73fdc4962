// A/B comparison of kernel builds on a shared, noisy machine: runs gemm_bench from two (or more)
// builds in alternation — A B, then B A, round after round — each run a fresh process, and reports
// per case the best wall time and the median of the runs' medians. Alternating is the point: the
// neighbour's bursts last seconds to minutes, and comparing a run of A now with a run of B a minute
// later measured the burst, not the change.
//
//   sh bench/kernels/build.sh && cp build/bench-kernels/gemm_bench /tmp/gemm_bench.before
//   (edit, rebuild)
//   node bench/kernels/ab.mjs --rounds 6 --threads 1 "packed step NT" /tmp/gemm_bench.before build/bench-kernels/gemm_bench
import { spawnSync } from 'node:child_process';

const usage = 'usage: node bench/kernels/ab.mjs [--rounds N] [--threads N] <filter> <gemm_bench A> <gemm_bench B> [...]';

function parseArgs(argv) {
  const options = { rounds: 6, threads: '1', positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--rounds' || flag === '--threads') {
      const value = argv[++i];
      if (value === undefined || !/^[1-9]\d*$/.test(value)) throw new RangeError(`${flag} must be a positive integer, got ${value}; ${usage}`);
      if (flag === '--rounds') options.rounds = Number(value);
      else options.threads = value;
    } else {
      options.positional.push(flag);
    }
  }
  if (options.positional.length < 3) throw new RangeError(`need a filter and at least two gemm_bench binaries; ${usage}`);
  return options;
}

/** gemm_bench's result lines: name, cpu best, cpu median, wall best (ms). */
function parseLines(text) {
  const cases = new Map();
  for (const line of text.split('\n')) {
    const m = /^(.*?)\s+cpu best\s+([\d.]+) median\s+([\d.]+) ms\s+wall best\s+([\d.]+) ms/.exec(line);
    if (m) cases.set(m[1], { best: Number(m[2]), median: Number(m[3]), wallBest: Number(m[4]) });
  }
  return cases;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main() {
  const { rounds, threads, positional } = parseArgs(process.argv.slice(2));
  const [filter, ...binaries] = positional;
  const runs = new Map(binaries.map((b) => [b, new Map()])); // binary → case → [result per round]
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? binaries : [...binaries].reverse();
    for (const binary of order) {
      const child = spawnSync(binary, [filter], { encoding: 'utf8', env: { ...process.env, RNNKIT_NUM_THREADS: threads } });
      if (child.status !== 0) throw new Error(`${binary} failed (${child.error?.message ?? `exit ${child.status}`}): ${child.stderr}`);
      for (const [name, result] of parseLines(child.stdout)) {
        const perCase = runs.get(binary);
        perCase.set(name, [...(perCase.get(name) ?? []), result]);
      }
      process.stderr.write(`round ${round + 1}/${rounds} ${binary} done\n`);
    }
  }
  const first = runs.get(binaries[0]);
  if (first.size === 0) throw new Error(`no case of gemm_bench matches "${filter}"`);
  for (const name of first.keys()) {
    console.log(name);
    const reference = median(first.get(name).map((r) => r.median));
    for (const binary of binaries) {
      const results = runs.get(binary).get(name) ?? [];
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
  console.error(`ab.mjs: ${error.message}`);
  process.exit(error instanceof RangeError ? 2 : 1);
}
