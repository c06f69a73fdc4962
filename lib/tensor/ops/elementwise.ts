/**
 * Elementwise arithmetic: add, sub, mul, div (with numpy broadcasting; either operand may be a plain
 * number), neg, exp, log. Each forward is followed by its backward. Not here: activations
 * (activations.ts) and reductions (reduce.ts).
 *
 * Binary ops run one of two loops: a plain loop when both operands have the output's shape (the
 * common case inside layers), otherwise a loop reading through index maps from broadcast.ts. Their
 * backward passes sum each gradient back to its operand's shape (the adjoint of broadcasting).
 */
import { record1 } from '../autograd.js';
import { getBackend } from '../../backend/index.js';
import type { Tensor } from '../tensor.js';
import { broadcastIndexMap, broadcastShapes, reduceBroadcastGrad, sameShape } from '../broadcast.js';
import { checkTensor } from './args.js';
import { typeError } from '../../util/check.js';

type Operand = Tensor | number;

/** An operand's values and shape; a number is a 0-d constant that takes no gradient. */
interface Side {
  tensor: Tensor | null;
  data: Float32Array;
  shape: number[];
}

function side(name: string, value: unknown): Side {
  if (typeof value === 'number') return { tensor: null, data: new Float32Array([value]), shape: [] };
  const t = checkTensor(name, value);
  return { tensor: t, data: t.data, shape: t.shape };
}

/**
 * How two operands meet: the output shape and, for each operand whose shape differs from it, the
 * map from output element to operand element (null: same shape, read element i).
 */
interface BinaryPlan {
  a: Side;
  b: Side;
  shape: number[];
  size: number;
  aMap: Int32Array | null;
  bMap: Int32Array | null;
}

function plan(op: string, aValue: unknown, bValue: unknown): BinaryPlan {
  if (typeof aValue === 'number' && typeof bValue === 'number') {
    throw typeError('a', `a Tensor (${op} needs at least one Tensor operand)`, aValue);
  }
  const a = side('a', aValue);
  const b = side('b', bValue);
  if (sameShape(a.shape, b.shape)) return { a, b, shape: a.shape.slice(), size: a.data.length, aMap: null, bMap: null };
  const shape = broadcastShapes(a.shape, b.shape, `${op}: the shapes of a and b`);
  const size = shape.reduce((n, d) => n * d, 1);
  return {
    a,
    b,
    shape,
    size,
    aMap: sameShape(a.shape, shape) ? null : broadcastIndexMap(shape, a.shape),
    bMap: sameShape(b.shape, shape) ? null : broadcastIndexMap(shape, b.shape),
  };
}

/** Expands an operand to the output's shape (a copy only when it is broadcast). */
function expanded(s: Side, map: Int32Array | null): Float32Array {
  if (map === null) return s.data;
  const out = new Float32Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = s.data[map[i]!]!;
  return out;
}

function needs(s: Side): boolean {
  return s.tensor !== null && s.tensor.requiresGrad;
}

/** The recorded inputs: only the tensor operands, in order. */
function inputsOf(p: BinaryPlan): Tensor[] {
  const inputs: Tensor[] = [];
  if (p.a.tensor !== null) inputs.push(p.a.tensor);
  if (p.b.tensor !== null) inputs.push(p.b.tensor);
  return inputs;
}

/** Backward results in the order of `inputsOf`. */
function gradsOf(p: BinaryPlan, gA: Float32Array | null, gB: Float32Array | null): (Float32Array | null)[] {
  const grads: (Float32Array | null)[] = [];
  if (p.a.tensor !== null) grads.push(gA);
  if (p.b.tensor !== null) grads.push(gB);
  return grads;
}

// ---- add -----------------------------------------------------------------------------------

/** a + b, broadcasting. */
export function add(a: Operand, b: Operand): Tensor {
  const p = plan('add', a, b);
  const x = p.a.data;
  const y = p.b.data;
  const out = new Float32Array(p.size);
  if (p.aMap === null && p.bMap === null) {
    for (let i = 0; i < out.length; i++) out[i] = x[i]! + y[i]!;
  } else {
    const xs = expanded(p.a, p.aMap);
    const ys = expanded(p.b, p.bMap);
    for (let i = 0; i < out.length; i++) out[i] = xs[i]! + ys[i]!;
  }
  return record1('add', out, p.shape, inputsOf(p), (g) => addBackward(p, g));
}

/** d(a+b)/da = d(a+b)/db = 1, summed over broadcast dimensions. */
function addBackward(p: BinaryPlan, g: Float32Array): (Float32Array | null)[] {
  return gradsOf(
    p,
    needs(p.a) ? reduceBroadcastGrad(g, p.aMap, p.a.data.length) : null,
    needs(p.b) ? reduceBroadcastGrad(g, p.bMap, p.b.data.length) : null,
  );
}

// ---- sub -----------------------------------------------------------------------------------

/** a − b, broadcasting. */
export function sub(a: Operand, b: Operand): Tensor {
  const p = plan('sub', a, b);
  const x = p.a.data;
  const y = p.b.data;
  const out = new Float32Array(p.size);
  if (p.aMap === null && p.bMap === null) {
    for (let i = 0; i < out.length; i++) out[i] = x[i]! - y[i]!;
  } else {
    const xs = expanded(p.a, p.aMap);
    const ys = expanded(p.b, p.bMap);
    for (let i = 0; i < out.length; i++) out[i] = xs[i]! - ys[i]!;
  }
  return record1('sub', out, p.shape, inputsOf(p), (g) => subBackward(p, g));
}

function subBackward(p: BinaryPlan, g: Float32Array): (Float32Array | null)[] {
  let gB: Float32Array | null = null;
  if (needs(p.b)) {
    const negated = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) negated[i] = -g[i]!;
    gB = reduceBroadcastGrad(negated, p.bMap, p.b.data.length);
  }
  return gradsOf(p, needs(p.a) ? reduceBroadcastGrad(g, p.aMap, p.a.data.length) : null, gB);
}

// ---- mul -----------------------------------------------------------------------------------

/** a ⊙ b, broadcasting. */
export function mul(a: Operand, b: Operand): Tensor {
  const p = plan('mul', a, b);
  const out = new Float32Array(p.size);
  if (p.aMap === null && p.bMap === null) {
    if (out.length > 0) getBackend().mul(out, p.a.data, p.b.data); // SIMD on the native backend
  } else {
    const xs = expanded(p.a, p.aMap);
    const ys = expanded(p.b, p.bMap);
    for (let i = 0; i < out.length; i++) out[i] = xs[i]! * ys[i]!;
  }
  return record1('mul', out, p.shape, inputsOf(p), (g) => mulBackward(p, g));
}

/** dA = g ⊙ b, dB = g ⊙ a, each summed to its operand's shape. */
function mulBackward(p: BinaryPlan, g: Float32Array): (Float32Array | null)[] {
  let gA: Float32Array | null = null;
  let gB: Float32Array | null = null;
  if (needs(p.a)) {
    const full = new Float32Array(g.length);
    if (full.length > 0) getBackend().mul(full, g, expanded(p.b, p.bMap));
    gA = reduceBroadcastGrad(full, p.aMap, p.a.data.length);
  }
  if (needs(p.b)) {
    const full = new Float32Array(g.length);
    if (full.length > 0) getBackend().mul(full, g, expanded(p.a, p.aMap));
    gB = reduceBroadcastGrad(full, p.bMap, p.b.data.length);
  }
  return gradsOf(p, gA, gB);
}

// ---- div -----------------------------------------------------------------------------------

/** a / b, broadcasting (IEEE: x/0 is ±Infinity or NaN, as in PyTorch). */
export function div(a: Operand, b: Operand): Tensor {
  const p = plan('div', a, b);
  const out = new Float32Array(p.size);
  if (p.aMap === null && p.bMap === null) {
    const x = p.a.data;
    const y = p.b.data;
    for (let i = 0; i < out.length; i++) out[i] = x[i]! / y[i]!;
  } else {
    const xs = expanded(p.a, p.aMap);
    const ys = expanded(p.b, p.bMap);
    for (let i = 0; i < out.length; i++) out[i] = xs[i]! / ys[i]!;
  }
  return record1('div', out, p.shape, inputsOf(p), (g) => divBackward(p, g));
}

/** dA = g / b, dB = −g ⊙ a / b². */
function divBackward(p: BinaryPlan, g: Float32Array): (Float32Array | null)[] {
  let gA: Float32Array | null = null;
  let gB: Float32Array | null = null;
  const ys = expanded(p.b, p.bMap);
  if (needs(p.a)) {
    const full = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) full[i] = g[i]! / ys[i]!;
    gA = reduceBroadcastGrad(full, p.aMap, p.a.data.length);
  }
  if (needs(p.b)) {
    const xs = expanded(p.a, p.aMap);
    const full = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) {
      const y = ys[i]!;
      full[i] = (-g[i]! * xs[i]!) / (y * y);
    }
    gB = reduceBroadcastGrad(full, p.bMap, p.b.data.length);
  }
  return gradsOf(p, gA, gB);
}

// ---- unary ---------------------------------------------------------------------------------

/** −x */
export function neg(x: Tensor): Tensor {
  checkTensor('x', x);
  const src = x.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < out.length; i++) out[i] = -src[i]!;
  return record1('neg', out, x.shape.slice(), [x], negBackward);
}

function negBackward(g: Float32Array): (Float32Array | null)[] {
  const dx = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) dx[i] = -g[i]!;
  return [dx];
}

/** eˣ */
export function exp(x: Tensor): Tensor {
  checkTensor('x', x);
  const src = x.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.exp(src[i]!);
  return record1('exp', out, x.shape.slice(), [x], (g) => expBackward(g, out));
}

/** d eˣ = eˣ: reuses the output, which the op keeps. */
function expBackward(g: Float32Array, y: Float32Array): (Float32Array | null)[] {
  const dx = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) dx[i] = g[i]! * y[i]!;
  return [dx];
}

/** Natural logarithm (log 0 = −Infinity, log of a negative number = NaN, as in PyTorch). */
export function log(x: Tensor): Tensor {
  checkTensor('x', x);
  const src = x.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.log(src[i]!);
  return record1('log', out, x.shape.slice(), [x], (g) => logBackward(g, src));
}

function logBackward(g: Float32Array, x: Float32Array): (Float32Array | null)[] {
  const dx = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) dx[i] = g[i]! / x[i]!;
  return [dx];
}
