/**
 * `rnnkit bench`: a short speed check of this installation through the public API, the native addon
 * against the pure-TypeScript kernels on the same shapes in the same run, reported as milliseconds
 * per iteration, tokens per second and their ratio.
 *
 * The full benchmark (every case, PyTorch alongside, the SGEMM ceiling, a fresh process per cell) is
 * the repository's harness, `npm run bench` in a checkout (bench/); it needs the sources and
 * PyTorch, so it is not shipped in the package, and this command says so rather than pretend.
 *
 * Letters: T steps, B batch, I input size, H hidden size, V vocabulary.
 */
import { cpus } from 'node:os';
import {
  Adam, GRU, LSTM, LanguageModel, crossEntropy, isNativeAvailable, manualSeed, noGrad, setBackend, systemInfo, tensor,
  type BackendName, type Tensor,
} from '../index.js';
import { UsageError, flag, helpText, parse, str, type Command } from './args.js';

const help = helpText('rnnkit bench [--quick] [--backends native,js] [--json]', `
Times a few recurrent workloads on each backend in this process and prints ms per iteration,
tokens per second and the native/js speed ratio.

options:
  --quick                 small shapes and few repetitions (a smoke test, a few seconds)
  --backends LIST         which of native,js to run (default: both; js only without the addon)
  --json                  print the results as JSON instead of a table
  -h, --help              this text

The full benchmark, with PyTorch on the same shapes and a process per measurement, is
\`npm run bench\` in a checkout of the rnnkit repository (not shipped in the package).
RNNKIT_SIMD and RNNKIT_NUM_THREADS apply to the native backend as usual.`);

interface BenchCase {
  id: string;
  title: string;
  /** Tokens (T × B) one iteration processes. */
  tokens: number;
  /** Builds the workload on the current backend; returns one iteration. */
  prepare(): () => void;
}

/** Deterministic inputs in [-1, 1). */
function input(shape: number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = ((i * 2654435761) % 4096) / 2048 - 1;
  return tensor(data, shape);
}

function cases(quick: boolean): BenchCase[] {
  const T = quick ? 10 : 50;
  const B = quick ? 4 : 32;
  const H = quick ? 32 : 128;
  const V = 65; // tinyshakespeare's characters
  const shape = `T=${T} B=${B} I=H=${H}`;
  const recurrentTrain = (make: () => LSTM | GRU) => () => {
    const layer = make();
    const x = input([T, B, H]); // [T, B, I]
    return () => {
      layer.zeroGrad();
      layer.forward(x)[0].sum().backward();
    };
  };
  return [
    {
      id: 'lstm-infer', title: `LSTM forward ${shape}`, tokens: T * B,
      prepare: () => {
        const layer = new LSTM({ inputSize: H, hiddenSize: H });
        const x = input([T, B, H]);
        return () => noGrad(() => layer.forward(x));
      },
    },
    { id: 'lstm-train', title: `LSTM forward+backward ${shape}`, tokens: T * B, prepare: recurrentTrain(() => new LSTM({ inputSize: H, hiddenSize: H })) },
    { id: 'gru-train', title: `GRU forward+backward ${shape}`, tokens: T * B, prepare: recurrentTrain(() => new GRU({ inputSize: H, hiddenSize: H })) },
    {
      id: 'char-lm-step', title: `char LM training step V=${V} ${shape} (Adam)`, tokens: T * B,
      prepare: () => {
        const model = new LanguageModel({ vocabSize: V, embeddingDim: H, hiddenSize: H });
        const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
        const ids = (offset: number) => tensor(Float32Array.from({ length: T * B }, (_, i) => (i * 7 + offset) % V), [T, B]);
        const x = ids(0);
        const y = ids(1).reshape([T * B]);
        return () => {
          optimizer.zeroGrad();
          const [logits] = model.forward(x); // [T, B, V]
          crossEntropy(logits.reshape([T * B, V]), y).backward();
          optimizer.step();
        };
      },
    },
  ];
}

interface Result {
  case: string;
  title: string;
  backend: BackendName;
  medianMs: number;
  reps: number;
  tokensPerSecond: number;
}

/** Median ms of one iteration: one warm-up, then repetitions until `budgetMs` (at least 3). */
function measure(iteration: () => void, budgetMs: number): { medianMs: number; reps: number } {
  iteration();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < budgetMs && times.length < 1000)) {
    const t0 = performance.now();
    iteration();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return { medianMs: times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2, reps: times.length };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

async function run(argv: string[]): Promise<number> {
  const args = parse(argv, { quick: { type: 'boolean' }, backends: { type: 'string' }, json: { type: 'boolean' } }, 0);
  if (flag(args, 'help')) {
    process.stdout.write(help);
    return 0;
  }
  const quick = flag(args, 'quick');
  let backends: BackendName[];
  const listed = str(args, 'backends');
  if (listed !== undefined) {
    const names = listed.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const bad = names.filter((n) => n !== 'native' && n !== 'js');
    if (names.length === 0 || bad.length > 0) throw new UsageError(`--backends must be a list of native, js, got ${JSON.stringify(listed)}`);
    backends = [...new Set(names)] as BackendName[];
  } else {
    backends = isNativeAvailable() ? ['native', 'js'] : ['js'];
  }
  const status = systemInfo().native;
  if (backends.includes('native') && !status.available) {
    throw new Error(`--backends native: the native addon cannot be loaded here (${status.reason})`);
  }

  const results: Result[] = [];
  for (const c of cases(quick)) {
    for (const backend of backends) {
      setBackend(backend);
      manualSeed(1);
      const { medianMs, reps } = measure(c.prepare(), quick ? 100 : 1000);
      results.push({ case: c.id, title: c.title, backend, medianMs, reps, tokensPerSecond: c.tokens / (medianMs / 1000) });
      if (!flag(args, 'json')) process.stderr.write(`  ${c.id} ${backend}: ${medianMs.toFixed(2)} ms\n`);
    }
  }
  const info = systemInfo();
  if (flag(args, 'json')) {
    process.stdout.write(`${JSON.stringify({ quick, cpu: cpus()[0]?.model ?? null, info, results }, null, 2)}\n`);
    return 0;
  }
  const native = info.native.available ? `native: ${info.native.isa} kernels, ${info.native.threads} thread(s), ${info.native.origin === 'prebuilt' ? 'prebuilt' : 'locally compiled'} binary` : 'native: not available here';
  const header = ['case', ...backends.flatMap((b) => [`${b} ms`, `${b} tok/s`]), ...(backends.length === 2 ? [`${backends[0]}/${backends[1]}`] : [])];
  const rows = cases(quick).map((c) => {
    const byBackend = backends.map((b) => results.find((r) => r.case === c.id && r.backend === b)!);
    const cells = byBackend.flatMap((r) => [r.medianMs.toFixed(2), Math.round(r.tokensPerSecond).toLocaleString('en-US')]);
    const ratio = byBackend.length === 2 ? [`${(byBackend[1]!.medianMs / byBackend[0]!.medianMs).toFixed(1)}x`] : [];
    return [c.title, ...cells, ...ratio];
  });
  process.stdout.write([
    `rnnkit ${info.version} bench${quick ? ' (quick: small shapes, a smoke test)' : ''}: ${cpus()[0]?.model ?? 'unknown CPU'}, node ${info.node}; ${native}`,
    'ms: median per iteration; tok/s: T×B tokens per second; ratio > 1: the first backend is faster.',
    '',
    table([header, ...rows]),
    '',
    'The full benchmark (PyTorch alongside, every case, a process per cell) is `npm run bench` in the rnnkit repository.',
    '',
  ].join('\n'));
  return 0;
}

export const bench: Command = { name: 'bench', summary: 'time LSTM/GRU workloads on the native and js backends', help, run };
