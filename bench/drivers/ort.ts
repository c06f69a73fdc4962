/**
 * Bench driver: onnxruntime-node (optional, installed by `npm run bench:setup`) running the torch
 * driver's model exported to ONNX, in its own process. Inference only: every recurrent case with
 * pass 'infer' (whole sequence, one session.run) and the streaming case (one LSTMCell step per
 * session.run, h and c fed back as inputs); training and GEMM cases report n/a.
 *
 * The model: bench/drivers/export_onnx.py builds torch.py's model with torch.py's deterministic
 * weights and exports it (ONNX RNN/LSTM/GRU operators, dynamic T and B), cached as
 * bench/.out/onnx/<model>.onnx and re-exported when export_onnx.py or torch.py is newer. Needs
 * /usr/bin/python3 with torch for the first export, else n/a. Inputs come from the same fillHash as
 * every driver, so the runner's checksum check compares ORT's outputs with torch's.
 *
 * Session: intraOpNumThreads = the cell's thread count, interOpNumThreads = 1, sequential
 * execution, all graph optimisations. Timed through the public async session.run, awaited call by
 * call, which is what a Node caller of onnxruntime-node gets (the binding's run is queued with
 * setImmediate and resolved as a promise).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCase, RecurrentCase, StreamCase } from '../cases.js';
import { NotMeasured, ROOT, runOptionalDriver, type PreparedEngineCase } from './optional.js';
import { SALT, fillHash, type DriverArgs } from './protocol.js';

const PYTHON = '/usr/bin/python3';
const EXPORT_SCRIPT = join(ROOT, 'bench', 'drivers', 'export_onnx.py');
const MODEL_SOURCES = [EXPORT_SCRIPT, join(ROOT, 'bench', 'drivers', 'torch.py')];
const MODEL_DIR = join(ROOT, 'bench', '.out', 'onnx');

// The slice of onnxruntime-node's API this driver uses (its types live in bench/optional, which a
// typecheck without bench:setup cannot see).
interface OrtTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}
interface SessionOptions {
  intraOpNumThreads: number;
  interOpNumThreads: number;
  executionMode: 'sequential' | 'parallel';
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  logSeverityLevel: number;
}
interface Ort {
  InferenceSession: { create(path: string, options: SessionOptions): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  env: { versions: Record<string, string> };
}

/** The cache file of a case's model: named by what the weights depend on (T and B are dynamic axes). */
function modelFile(c: RecurrentCase | StreamCase): string {
  if (c.kind === 'stream') return join(MODEL_DIR, `lstmcell-i${c.inputSize}-h${c.hiddenSize}.onnx`);
  return join(MODEL_DIR, `${c.cell}-i${c.inputSize}-h${c.hiddenSize}-l${c.numLayers}${c.bidirectional ? '-bi' : ''}.onnx`);
}

/** The cached .onnx of this case, exported first when missing or older than the code that makes it. */
function ensureModel(c: RecurrentCase | StreamCase): string {
  const file = modelFile(c);
  const stale = !existsSync(file) || MODEL_SOURCES.some((source) => statSync(source).mtimeMs > statSync(file).mtimeMs);
  if (!stale) return file;
  if (!existsSync(PYTHON)) throw new NotMeasured(`no ${PYTHON} to export the model to ONNX (needs python3-torch)`);
  mkdirSync(MODEL_DIR, { recursive: true });
  const child = spawnSync(PYTHON, [EXPORT_SCRIPT, '--case', JSON.stringify(c), '--out', file], { encoding: 'utf8' });
  if (child.status !== 0 || !existsSync(file)) {
    const why = (child.stderr || child.error?.message || '').trim().split('\n').pop();
    throw new NotMeasured(`ONNX export failed: ${why}`);
  }
  return file;
}

function sumAbs(values: Float32Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += Math.abs(values[i]!);
  return total;
}

async function prepareRecurrent(ort: Ort, session: OrtSession, c: RecurrentCase): Promise<Pick<PreparedEngineCase, 'step' | 'checksum'>> {
  const { T, B, inputSize: I } = c;
  const x = new ort.Tensor('float32', fillHash(new Float32Array(T * B * I), SALT.x, 1), [T, B, I]); // [T, B, I]
  return {
    step: async () => { await session.run({ x }); },
    checksum: async () => ({ sumAbsOut: sumAbs((await session.run({ x })).out!.data) }), // out [T, B, D·H]
  };
}

async function prepareStream(ort: Ort, session: OrtSession, c: StreamCase): Promise<Pick<PreparedEngineCase, 'step' | 'checksum'>> {
  const { B, inputSize: I, hiddenSize: H } = c;
  // One input per step, made before timing: [steps × B, I] cut into [1, B, I] views.
  const inputs = fillHash(new Float32Array(c.steps * B * I), SALT.x, 1);
  const xs = Array.from({ length: c.steps }, (_, s) => new ort.Tensor('float32', inputs.subarray(s * B * I, (s + 1) * B * I), [1, B, I]));
  const zeros = (): OrtTensor => new ort.Tensor('float32', new Float32Array(B * H), [1, B, H]); // [1, B, H]
  let h = zeros();
  let cell = zeros();
  const run = async (): Promise<void> => {
    for (const x of xs) {
      const out = await session.run({ x, h0: h, c0: cell });
      h = out.h!;
      cell = out.c!;
    }
  };
  return {
    step: run,
    checksum: async () => {
      h = zeros();
      cell = zeros();
      await run();
      const result = { sumAbsH: sumAbs(h.data), sumAbsC: sumAbs(cell.data) };
      h = zeros();
      cell = zeros();
      return result;
    },
  };
}

async function prepare(ort: Ort, args: DriverArgs, c: BenchCase): Promise<PreparedEngineCase> {
  if (c.kind === 'gemm') throw new NotMeasured('no GEMM cases on onnxruntime-node');
  if (c.kind === 'recurrent' && c.pass !== 'infer') throw new NotMeasured('inference engine: training is not measured');
  const file = ensureModel(c);
  const options: SessionOptions = {
    intraOpNumThreads: args.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
    logSeverityLevel: 3, // errors only: ORT warns about unused initializers torch leaves in the graph
  };
  const session = await ort.InferenceSession.create(file, options);
  const version = ort.env.versions.node ?? ort.env.versions.common ?? '?';
  const built = c.kind === 'stream' ? await prepareStream(ort, session, c) : await prepareRecurrent(ort, session, c);
  return {
    ...built,
    info: {
      engine: 'onnxruntime-node', version, model: file, ...options,
      summary: `onnxruntime-node ${version}, CPU execution provider, the torch model exported to ONNX by bench/drivers/export_onnx.py, ` +
        `intra-op threads = the cell's, inter-op 1, sequential, graph optimisation all`,
    },
  };
}

void runOptionalDriver<Ort>('ort', 'onnxruntime-node', prepare);
