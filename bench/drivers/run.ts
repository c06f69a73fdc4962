/**
 * Runs one bench case on one rnnkit backend through the public API only (the 'rnnkit' package
 * entry, i.e. dist/), the way a user would: layers, tensors, loss.backward(), noGrad. drivers/js.ts
 * and drivers/native.ts are one-line entries that call runDriver with their backend name.
 *
 * Dimension letters: T steps, B batch, I input features, H hidden units, D directions.
 */
import * as rnnkit from 'rnnkit';
import { GRU, LSTM, LSTMCell, RNN, getBackend, noGrad, setBackend, tensor, zeros } from 'rnnkit';
import type { BackendName, Module, Tensor } from 'rnnkit';
import type { BenchCase, GemmCase, RecurrentCase, StreamCase } from '../cases.js';
import { SALT, driverArgsOrReport, emit, fillHash, measure, median } from './protocol.js';

/** What a case becomes once built: the timed iteration and the checksum of one fresh iteration. */
interface PreparedCase {
  /** One iteration (the thing timed). */
  step: () => void;
  /** Runs one iteration from the initial state and sums its results (before any timing). */
  checksum: () => Record<string, number>;
}

function sumAbs(values: Float32Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += Math.abs(values[i]!);
  return total;
}

/** Overwrites every parameter with the shared deterministic values (salt = index in sorted names). */
function fillParameters(model: Module, hiddenSize: number): void {
  const named = model.namedParameters();
  const names = named.map(([name]) => name).sort();
  for (const [name, p] of named) fillHash(p.data, names.indexOf(name), 1 / Math.sqrt(hiddenSize));
}

function prepareRecurrent(c: RecurrentCase): PreparedCase {
  const { T, B, inputSize: I, hiddenSize: H } = c;
  const D = c.bidirectional ? 2 : 1;
  const options = { inputSize: I, hiddenSize: H, numLayers: c.numLayers, bidirectional: c.bidirectional };
  const model = c.cell === 'lstm' ? new LSTM(options) : c.cell === 'gru' ? new GRU(options) : new RNN(options);
  fillParameters(model, H);
  const x = tensor(fillHash(new Float32Array(T * B * I), SALT.x, 1), [T, B, I]); // [T, B, I]
  const r = tensor(fillHash(new Float32Array(T * B * D * H), SALT.r, 1), [T, B, D * H]); // [T, B, D·H]
  const forward = (): Tensor => model.forward(x)[0]; // out [T, B, D·H]

  if (c.pass === 'infer') {
    return {
      step: () => { noGrad(forward); },
      checksum: () => ({ sumAbsOut: sumAbs(noGrad(forward).data) }),
    };
  }
  const trainStep = (): Tensor => {
    model.zeroGrad();
    const out = forward();
    out.mul(r).sum().backward();
    return out;
  };
  return {
    step: () => { trainStep(); },
    checksum: () => {
      const out = trainStep();
      const grads: Record<string, number> = { sumAbsOut: sumAbs(out.data) };
      for (const [name, p] of model.namedParameters()) {
        if (name === 'weight_hh_l0' || name === `weight_ih_l${c.numLayers - 1}`) grads[`sumAbsGrad_${name}`] = sumAbs(p.grad!.data);
      }
      return grads;
    },
  };
}

function prepareStream(c: StreamCase): PreparedCase {
  const { B, inputSize: I, hiddenSize: H } = c;
  const cell = new LSTMCell({ inputSize: I, hiddenSize: H });
  fillParameters(cell, H);
  // One input per step, made before timing: [steps × B, I] cut into [B, I] views.
  const inputs = fillHash(new Float32Array(c.steps * B * I), SALT.x, 1);
  const xs = Array.from({ length: c.steps }, (_, s) => tensor(inputs.subarray(s * B * I, (s + 1) * B * I), [B, I]));
  let state: [Tensor, Tensor] = [zeros([B, H]), zeros([B, H])];
  const run = (): void => noGrad(() => {
    for (const x of xs) state = cell.forward(x, state);
  });
  return {
    step: run,
    checksum: () => {
      state = [zeros([B, H]), zeros([B, H])];
      run();
      const result = { sumAbsH: sumAbs(state[0].data), sumAbsC: sumAbs(state[1].data) };
      state = [zeros([B, H]), zeros([B, H])];
      return result;
    },
  };
}

function prepareGemm(c: GemmCase): PreparedCase {
  const { M, N, K } = c;
  const backend = getBackend();
  const a = fillHash(new Float32Array(M * K), SALT.a, 1); // op(A) [M, K]: stored [K, M] when transA
  const b = fillHash(new Float32Array(K * N), SALT.b, 1); // op(B) [K, N]: stored [N, K] when transB
  const out = new Float32Array(M * N); // C [M, N]
  const lda = c.transA ? M : K;
  const ldb = c.transB ? K : N;
  const step = (): void => backend.sgemm(c.transA, c.transB, M, N, K, 1, a, lda, b, ldb, c.beta, out, N);
  return {
    step,
    checksum: () => {
      out.fill(0);
      step();
      const result = { sumAbsC: sumAbs(out) };
      out.fill(0);
      return result;
    },
  };
}

function prepare(c: BenchCase): PreparedCase {
  if (c.kind === 'recurrent') return prepareRecurrent(c);
  if (c.kind === 'stream') return prepareStream(c);
  return prepareGemm(c);
}

function rssMb(): number {
  return process.memoryUsage.rss() / (1024 * 1024);
}

/** The whole driver process: select the backend, build the case, check it, time it, print one line. */
export function runDriver(backendName: BackendName): void {
  const driver = backendName;
  const args = driverArgsOrReport(driver);
  if (args === null) return;
  try {
    setBackend(backendName);
  } catch (err) {
    emit({ ok: false, driver, reason: (err as Error).message });
    return;
  }
  // Thread count: the runner sets RNNKIT_NUM_THREADS in our environment; use the API too once it exists.
  const setNumThreads = (rnnkit as Record<string, unknown>).setNumThreads;
  if (typeof setNumThreads === 'function') setNumThreads(args.threads);
  // The native backend says which SIMD path and how many pool threads it really uses.
  const backend = getBackend() as unknown as { cpuInfo?: () => { threads?: number } & Record<string, unknown> };
  const cpuInfo = typeof backend.cpuInfo === 'function' ? backend.cpuInfo() : null;
  if (cpuInfo && typeof cpuInfo.threads === 'number' && cpuInfo.threads !== args.threads) {
    emit({ ok: false, driver, reason: `the ${driver} thread pool has ${cpuInfo.threads} threads, ${args.threads} were asked for (RNNKIT_NUM_THREADS)` });
    return;
  }
  const baseRssMb = rssMb();
  try {
    const prepared = prepare(args.benchCase);
    const checksum = prepared.checksum();
    const { timesMs, inner } = measure(prepared.step, args.plan);
    emit({
      ok: true, driver, timesMs, inner, medianMs: median(timesMs), checksum,
      maxRssMb: process.resourceUsage().maxRSS / 1024, baseRssMb,
      info: {
        backend: getBackend().name, node: process.version, threads: args.threads,
        RNNKIT_NUM_THREADS: process.env.RNNKIT_NUM_THREADS ?? null,
        setNumThreads: typeof setNumThreads === 'function', ...(cpuInfo ? { cpuInfo } : {}),
      },
    });
  } catch (err) {
    emit({ ok: false, driver, reason: `failed while running: ${(err as Error).stack ?? String(err)}` });
    process.exitCode = 1;
  }
}
