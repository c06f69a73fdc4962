// Child process of robustness.test.ts: loads rnnkit.node directly (no TypeScript layer in between)
// and makes hostile calls. Each case must throw synchronously; the child records what was thrown and
// prints one JSON line, then "done". If the addon crashed the process, the parent sees a signal or a
// non-zero exit instead. CommonJS on purpose: it runs with plain `node`, no loader.
'use strict';
const root = process.argv[2];
const addon = require(require.resolve('node-gyp-build', { paths: [root] }))(root);

const f32 = (n) => new Float32Array(n);
function detached(n) {
  const array = new Float32Array(n);
  structuredClone(array.buffer, { transfer: [array.buffer] }); // detaches array.buffer
  return array;
}
const BIG = 2 ** 31 - 1;

// A valid LSTM forward args object (T=2, B=2, I=3, H=4) that cases then spoil one field at a time.
function lstmForward(over = {}) {
  const T = 2, B = 2, I = 3, H = 4, G = 4;
  return {
    out: f32(T * B * H), hN: f32(B * H), cN: f32(B * H), workspace: f32(7 * T * B * H),
    x: f32(T * B * I), h0: f32(B * H), c0: null, wIh: f32(G * H * I), wHh: f32(G * H * H),
    bIh: null, bHh: null, lengths: null, reverse: false, T, B, I, H, ...over,
  };
}
function lstmBackward(over = {}) {
  const T = 2, B = 2, I = 3, H = 4, G = 4;
  return {
    dX: null, dH0: null, dC0: null, dWIh: f32(G * H * I), dWHh: f32(G * H * H), dBIh: null, dBHh: null,
    scratch: f32(4 * T * B * H + 2 * B * H), dOut: null, dHN: null, dCN: null,
    x: f32(T * B * I), h0: f32(B * H), c0: null, wIh: f32(G * H * I), wHh: f32(G * H * H),
    out: f32(T * B * H), workspace: f32(7 * T * B * H), lengths: null, reverse: false, T, B, I, H, ...over,
  };
}
// recurrentForwardStack's two layers (LSTM, T=2, B=2, I=3, H=4), forward only; `over` spoils the upper one.
function lstmStack(over = {}) {
  const below = lstmForward({ workspace: null });
  return [below, lstmForward({ workspace: null, x: below.out, I: 4, wIh: f32(4 * 4 * 4), ...over })];
}
// recurrentStep's positional arguments (LSTM, B=2, I=3, H=4); `over` = [index, value, ...] spoils some.
function lstmStep(...over) {
  const B = 2, I = 3, H = 4, G = 4;
  const args = ['lstm', f32(B * H), f32(B * H), f32(B * H), f32(B * I), f32(B * H), null, f32(G * H * I), f32(G * H * H),
    null, null, B, I, H];
  for (let i = 0; i < over.length; i += 2) args[over[i]] = over[i + 1];
  return () => addon.recurrentStep(...args);
}
const A4 = f32(4), B4 = f32(4), C4 = f32(4);
const gemm = (...over) => {
  const args = [false, false, 2, 2, 2, 1, A4, 2, B4, 2, 0, C4, 2];
  for (let i = 0; i < over.length; i += 2) args[over[i]] = over[i + 1];
  return () => addon.sgemm(...args);
};

// [label, expected error type, the argument the message must name, call]
const cases = [
  ['sgemm without arguments', 'TypeError', 'transA', () => addon.sgemm()],
  ['sgemm transA number', 'TypeError', 'transA', gemm(0, 1)],
  ['sgemm M string', 'TypeError', 'M', gemm(2, '2')],
  ['sgemm M negative', 'RangeError', 'M', gemm(2, -1)],
  ['sgemm M fractional', 'RangeError', 'M', gemm(2, 1.5)],
  ['sgemm M NaN', 'RangeError', 'M', gemm(2, NaN)],
  ['sgemm M Infinity', 'RangeError', 'M', gemm(2, Infinity)],
  ['sgemm M 2^53', 'RangeError', 'M', gemm(2, 2 ** 53)],
  ['sgemm K huge', 'RangeError', 'K', gemm(4, 2 ** 40)],
  ['sgemm alpha string', 'TypeError', 'alpha', gemm(5, '1')],
  ['sgemm A plain array', 'TypeError', 'A', gemm(6, [1, 2, 3, 4])],
  ['sgemm A Float64Array', 'TypeError', 'A', gemm(6, new Float64Array(4))],
  ['sgemm A too short', 'RangeError', 'A', gemm(6, f32(3))],
  ['sgemm B too short', 'RangeError', 'B', gemm(8, f32(1))],
  ['sgemm C too short', 'RangeError', 'C', gemm(11, f32(3))],
  ['sgemm C Int32Array', 'TypeError', 'C', gemm(11, new Int32Array(4))],
  ['sgemm C detached', 'TypeError', 'C', gemm(11, detached(4))],
  ['sgemm A detached', 'TypeError', 'A', gemm(6, detached(4))],
  ['sgemm lda below K', 'RangeError', 'lda', gemm(7, 1)],
  ['sgemm ldc zero', 'RangeError', 'ldc', gemm(12, 0)],
  ['sgemm stride product past 2^53', 'RangeError', 'A', gemm(2, BIG, 7, BIG, 3, 1, 11, f32(4), 12, 1)],
  ['recurrentForward bad cell', 'RangeError', 'cell', () => addon.recurrentForward('lstm2', lstmForward())],
  ['recurrentForward cell number', 'TypeError', 'cell', () => addon.recurrentForward(3, lstmForward())],
  ['recurrentForwardBatch not an array', 'TypeError', 'argsList', () => addon.recurrentForwardBatch('lstm', lstmForward())],
  ['recurrentForwardBatch empty', 'RangeError', 'argsList', () => addon.recurrentForwardBatch('lstm', [])],
  ['recurrentForwardBatch 17 entries', 'RangeError', 'argsList',
    () => addon.recurrentForwardBatch('lstm', Array.from({ length: 17 }, () => lstmForward()))],
  ['recurrentForwardBatch bad element', 'TypeError', 'argsList[1]', () => addon.recurrentForwardBatch('lstm', [lstmForward(), 3])],
  ['recurrentForwardBatch short x in one', 'RangeError', 'x',
    () => addon.recurrentForwardBatch('lstm', [lstmForward(), lstmForward({ x: f32(5) })])],
  ['recurrentForwardStack rnn cell', 'RangeError', 'cell', () => addon.recurrentForwardStack('rnn_tanh', lstmStack())],
  ['recurrentForwardStack not an array', 'TypeError', 'argsList', () => addon.recurrentForwardStack('lstm', lstmForward())],
  ['recurrentForwardStack 17 layers', 'RangeError', 'argsList',
    () => addon.recurrentForwardStack('lstm', Array.from({ length: 17 }, () => lstmForward({ workspace: null })))],
  ['recurrentForwardStack with a workspace', 'RangeError', 'argsList[1].workspace',
    () => addon.recurrentForwardStack('lstm', lstmStack({ workspace: f32(7 * 2 * 2 * 4) }))],
  ['recurrentForwardStack reverse', 'RangeError', 'argsList[1].reverse', () => addon.recurrentForwardStack('lstm', lstmStack({ reverse: true }))],
  ['recurrentForwardStack x not the output below', 'RangeError', 'argsList[1].x',
    () => addon.recurrentForwardStack('lstm', lstmStack({ x: f32(2 * 2 * 4) }))],
  ['recurrentForwardStack I not the H below', 'RangeError', 'argsList[1].I', () => addon.recurrentForwardStack('lstm', lstmStack({ I: 3 }))],
  ['recurrentForwardStack T differs', 'RangeError', 'argsList[1].T', () => addon.recurrentForwardStack('lstm', lstmStack({ T: 1 }))],
  ['recurrentForwardStack lengths differ', 'RangeError', 'argsList[1].lengths',
    () => addon.recurrentForwardStack('lstm', lstmStack({ lengths: new Int32Array([2, 1]) }))],
  ['recurrentForwardStack short h0', 'RangeError', 'h0', () => addon.recurrentForwardStack('gru', lstmStack({ h0: f32(3) }))],
  ['recurrentBackwardBatch bad cell', 'RangeError', 'cell', () => addon.recurrentBackwardBatch('lstm3', [lstmBackward()])],
  ['recurrentBackwardBatch dWIh null in one', 'TypeError', 'dWIh',
    () => addon.recurrentBackwardBatch('lstm', [lstmBackward(), lstmBackward({ dWIh: null })])],
  ['setNumThreads zero', 'RangeError', 'n', () => addon.setNumThreads(0)],
  ['setNumThreads past 256', 'RangeError', 'n', () => addon.setNumThreads(257)],
  ['setNumThreads string', 'TypeError', 'n', () => addon.setNumThreads('2')],
  ['recurrentForward cell with a NUL inside', 'RangeError', 'cell', () => addon.recurrentForward('lstm\u0000x', lstmForward())],
  ['recurrentForward cell past the name buffer', 'RangeError', 'cell',
    () => addon.recurrentForward('rnn_tanh_rnn_tanh_rnn_tanh', lstmForward())],
  ['recurrentForward empty x', 'RangeError', 'x', () => addon.recurrentForward('lstm', lstmForward({ x: f32(0) }))],
  ['recurrentForward x Float64Array', 'TypeError', 'x',
    () => addon.recurrentForward('lstm', lstmForward({ x: new Float64Array(64) }))],
  ['recurrentForward args missing', 'TypeError', 'args', () => addon.recurrentForward('lstm')],
  ['recurrentForward args array', 'TypeError', 'args', () => addon.recurrentForward('lstm', [])],
  ['recurrentForward T zero', 'RangeError', 'T', () => addon.recurrentForward('lstm', lstmForward({ T: 0 }))],
  ['recurrentForward H string', 'TypeError', 'H', () => addon.recurrentForward('lstm', lstmForward({ H: '4' }))],
  ['recurrentForward T*B*H overflow', 'RangeError', 'T * B * H',
    () => addon.recurrentForward('gru', lstmForward({ T: BIG, B: BIG, H: BIG }))],
  ['recurrentForward x too short', 'RangeError', 'x', () => addon.recurrentForward('lstm', lstmForward({ x: f32(5) }))],
  ['recurrentForward workspace too short', 'RangeError', 'workspace',
    () => addon.recurrentForward('lstm', lstmForward({ workspace: f32(10) }))],
  ['recurrentForward lstm without cN', 'TypeError', 'cN', () => addon.recurrentForward('lstm', lstmForward({ cN: null }))],
  ['recurrentForward wHh detached', 'TypeError', 'wHh', () => addon.recurrentForward('lstm', lstmForward({ wHh: detached(64) }))],
  ['recurrentForward bIh wrong type', 'TypeError', 'bIh', () => addon.recurrentForward('lstm', lstmForward({ bIh: [0] }))],
  ['recurrentForward lengths Array', 'TypeError', 'lengths', () => addon.recurrentForward('lstm', lstmForward({ lengths: [1, 2] }))],
  ['recurrentForward lengths too short', 'RangeError', 'lengths',
    () => addon.recurrentForward('lstm', lstmForward({ lengths: Int32Array.from([2]) }))],
  ['recurrentForward lengths zero', 'RangeError', 'lengths[1]',
    () => addon.recurrentForward('lstm', lstmForward({ lengths: Int32Array.from([2, 0]) }))],
  ['recurrentForward lengths past T', 'RangeError', 'lengths[0]',
    () => addon.recurrentForward('lstm', lstmForward({ lengths: Int32Array.from([3, 1]) }))],
  ['recurrentForward reverse string', 'TypeError', 'reverse', () => addon.recurrentForward('lstm', lstmForward({ reverse: 'no' }))],
  ['recurrentForward getter detaching x', 'TypeError', 'x', () => {
    const args = lstmForward();
    const x = args.x;
    Object.defineProperty(args, 'wHh', { get() { structuredClone(x.buffer, { transfer: [x.buffer] }); return f32(64); } });
    addon.recurrentForward('lstm', args);
  }],
  ['recurrentForwardAsync throws synchronously', 'RangeError', 'out',
    () => addon.recurrentForwardAsync('lstm', lstmForward({ out: f32(1) }))],
  ['recurrentStep without arguments', 'TypeError', 'cell', () => addon.recurrentStep()],
  ['recurrentStep bad cell', 'RangeError', 'cell', lstmStep(0, 'lstm2')],
  ['recurrentStep B zero', 'RangeError', 'B', lstmStep(11, 0)],
  ['recurrentStep I fractional', 'RangeError', 'I', lstmStep(12, 2.5)],
  ['recurrentStep H missing', 'TypeError', 'H', lstmStep(13, undefined)],
  ['recurrentStep B*H overflow', 'RangeError', 'B * H', lstmStep(11, BIG, 13, BIG)],
  ['recurrentStep out too short', 'RangeError', 'out', lstmStep(1, f32(7))],
  ['recurrentStep hN null', 'TypeError', 'hN', lstmStep(2, null)],
  ['recurrentStep lstm without cN', 'TypeError', 'cN', lstmStep(3, null)],
  ['recurrentStep x too short', 'RangeError', 'x', lstmStep(4, f32(5))],
  ['recurrentStep h0 detached', 'TypeError', 'h0', lstmStep(5, detached(8))],
  ['recurrentStep c0 too short', 'RangeError', 'c0', lstmStep(6, f32(7))],
  ['recurrentStep wIh Float64Array', 'TypeError', 'wIh', lstmStep(7, new Float64Array(48))],
  ['recurrentStep wHh too short', 'RangeError', 'wHh', lstmStep(8, f32(63))],
  ['recurrentStep bHh plain array', 'TypeError', 'bHh', lstmStep(10, [0])],
  ['recurrentStep gru bIh too short', 'RangeError', 'bIh', lstmStep(0, 'gru', 9, f32(11))],
  ['recurrentBackward dWIh null', 'TypeError', 'dWIh', () => addon.recurrentBackward('lstm', lstmBackward({ dWIh: null }))],
  ['recurrentBackward scratch too short', 'RangeError', 'scratch',
    () => addon.recurrentBackward('lstm', lstmBackward({ scratch: f32(8) }))],
  ['recurrentBackward dOut too short', 'RangeError', 'dOut', () => addon.recurrentBackward('lstm', lstmBackward({ dOut: f32(2) }))],
  ['recurrentBackward dX detached', 'TypeError', 'dX', () => addon.recurrentBackward('lstm', lstmBackward({ dX: detached(12) }))],
  ['recurrentBackwardAsync throws synchronously', 'TypeError', 'workspace',
    () => addon.recurrentBackwardAsync('gru', lstmBackward({ workspace: undefined }))],
  ['recurrentWorkspaceSize negative B', 'RangeError', 'B', () => addon.recurrentWorkspaceSize('gru', 2, -1, 3)],
  ['recurrentBackwardWorkspaceSize bad cell', 'RangeError', 'cell', () => addon.recurrentBackwardWorkspaceSize('rnn', 2, 1, 3)],
  ['tanh out too short', 'RangeError', 'out', () => addon.tanh(f32(2), f32(3))],
  ['tanh x not typed', 'TypeError', 'x', () => addon.tanh(f32(2), 'abc')],
  ['sigmoid out detached', 'TypeError', 'out', () => addon.sigmoid(detached(3), f32(3))],
  ['axpy alpha missing', 'TypeError', 'alpha', () => addon.axpy(f32(3), undefined, f32(3))],
  ['axpy y too short', 'RangeError', 'y', () => addon.axpy(f32(2), 1, f32(3))],
  ['softmaxRows rows*cols overflow', 'RangeError', 'rows * cols', () => addon.softmaxRows(f32(4), f32(4), BIG, BIG)],
  ['softmaxRows x too short', 'RangeError', 'x', () => addon.softmaxRows(f32(6), f32(5), 2, 3)],
  ['logSoftmaxRows cols negative', 'RangeError', 'cols', () => addon.logSoftmaxRows(f32(6), f32(6), 2, -3)],
  ['addressMisalignment without arguments', 'TypeError', 'buffer', () => addon.addressMisalignment()],
  ['addressMisalignment of a typed array', 'TypeError', 'buffer', () => addon.addressMisalignment(f32(4), 64)],
  ['addressMisalignment alignment 3', 'RangeError', 'alignment', () => addon.addressMisalignment(new ArrayBuffer(8), 3)],
  ['addressMisalignment alignment 8192', 'RangeError', 'alignment', () => addon.addressMisalignment(new ArrayBuffer(8), 8192)],
  ['addressMisalignment alignment missing', 'TypeError', 'alignment', () => addon.addressMisalignment(new ArrayBuffer(8))],
];

const results = [];
for (const [label, expectedType, name, call] of cases) {
  let type = 'none';
  let message = '';
  try {
    call();
  } catch (error) {
    type = error && error.constructor ? error.constructor.name : typeof error;
    message = String(error && error.message);
  }
  results.push({ label, expectedType, name, type, message });
}

// Valid calls still work after all of that, including unaligned views and a getter that throws.
const backing = new Float32Array(9);
const A = new Float32Array(backing.buffer, 4, 4); // byte offset 4: unaligned for SIMD
A.set([1, 2, 3, 4]);
const C = f32(4);
addon.sgemm(false, false, 2, 2, 2, 1, A, 2, Float32Array.from([1, 0, 0, 1]), 2, 0, C, 2);
lstmStep(6, f32(8), 9, f32(16), 10, f32(16))(); // valid: runs
let getterError = '';
try {
  addon.recurrentForward('lstm', Object.defineProperty(lstmForward(), 'x', { get() { throw new Error('boom'); } }));
} catch (error) {
  getterError = error.message;
}
addon.recurrentForwardAsync('lstm', lstmForward()).then(() => {
  console.log(JSON.stringify({ results, sgemm: Array.from(C), getterError, info: addon.cpuInfo() }));
  console.log('done');
});
