/**
 * Every tensor op against PyTorch: runs the cases of fixtures/ops.json (written by
 * fixtures/generate.py with torch 1.13 in float64) through the public API and compares the output and
 * the gradient of sum(out · R) for every input, i.e. out.backward(R), with expectClose (‖a−b‖/‖b‖ ≤
 * 1e-4). Table-driven: OPS below maps a case's op name and arguments to rnnkit exactly as `run` in
 * generate.py maps them to torch; adding a case means adding it to generate.py only.
 *
 * Inputs and R are float32 values in the JSON, so both sides start from identical numbers and the
 * only difference left is float32 against float64 arithmetic.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import {
  Tensor, tensor,
  add, sub, mul, div, neg, exp, log, tanh, sigmoid, relu, sum, mean, matmul, linear,
  reshape, transpose, permute, concat, stack, slice, embedding, gather, softmax, logSoftmax,
  crossEntropy, mseLoss, bceWithLogits, dropout,
} from '../../lib/index.js';
import { expectClose } from '../helpers/close.js';
import { describeEachBackend } from '../helpers/backends.js';

// ---- the fixture file ----------------------------------------------------------------------------

type Encoded = number | 'NaN' | 'Infinity' | '-Infinity';

interface RawArray {
  shape: number[];
  data: Encoded[];
}

interface RawCase {
  name: string;
  op: string;
  args: Record<string, unknown>;
  inputs: (RawArray & { name: string; grad: boolean })[];
  index?: { shape: number[]; data: number[] };
  R: RawArray;
  out: RawArray;
  grads: Record<string, RawArray>;
}

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, 'fixtures', 'ops.json'), 'utf8')) as { cases: RawCase[] };

/** JSON has no NaN/Infinity: the generator writes them as strings. */
function decode(data: Encoded[]): Float64Array {
  return Float64Array.from(data, (v) => (typeof v === 'number' ? v : Number(v)));
}

// ---- the op table (mirrors `run` in generate.py) ------------------------------------------------

/** A case's inputs as leaf tensors by name (in file order), its integer indices and arguments. */
interface Call {
  inputs: Map<string, Tensor>;
  index: { shape: number[]; data: Int32Array } | null;
  args: Record<string, any>; // per-op JSON arguments, read by the OPS entry that knows their types
}

const first = (c: Call): Tensor => c.inputs.values().next().value as Tensor;
const named = (c: Call, name: string): Tensor => {
  const t = c.inputs.get(name);
  if (t === undefined) throw new Error(`case has no input ${name}`);
  return t;
};
/** A binary op's operand: an input's name, or a plain number. */
const operand = (c: Call, spec: string | number): Tensor | number => (typeof spec === 'number' ? spec : named(c, spec));
const binary = (f: (a: Tensor | number, b: Tensor | number) => Tensor) => (c: Call): Tensor =>
  f(operand(c, c.args.operands[0]), operand(c, c.args.operands[1]));
const indexArg = (c: Call): { shape: number[]; data: Int32Array } => {
  if (c.index === null) throw new Error('case has no index');
  return c.index;
};

const OPS: Record<string, (c: Call) => Tensor> = {
  add: binary(add),
  sub: binary(sub),
  mul: binary(mul),
  div: binary(div),
  neg: (c) => neg(first(c)),
  exp: (c) => exp(first(c)),
  log: (c) => log(first(c)),
  tanh: (c) => tanh(first(c)),
  sigmoid: (c) => sigmoid(first(c)),
  relu: (c) => relu(first(c)),
  sum: (c) => sum(first(c), c.args.dim, c.args.keepDim ?? false),
  mean: (c) => mean(first(c), c.args.dim, c.args.keepDim ?? false),
  matmul: (c) => matmul(named(c, 'a'), named(c, 'b')),
  linear: (c) => linear(named(c, 'x'), named(c, 'weight'), c.inputs.get('bias') ?? null),
  reshape: (c) => reshape(first(c), c.args.shape),
  transpose: (c) => transpose(first(c), c.args.dim0, c.args.dim1),
  permute: (c) => permute(first(c), c.args.dims),
  concat: (c) => concat([...c.inputs.values()], c.args.dim),
  stack: (c) => stack([...c.inputs.values()], c.args.dim),
  slice: (c) => slice(first(c), c.args.dim, c.args.start, c.args.end),
  // Indices as a flat Int32Array plus their shape (embedding, gather) ...
  embedding: (c) => embedding(named(c, 'weight'), indexArg(c).data, c.args.paddingIdx ?? null, indexArg(c).shape),
  gather: (c) => gather(first(c), c.args.dim, indexArg(c).data, indexArg(c).shape),
  softmax: (c) => softmax(first(c), c.args.dim),
  logSoftmax: (c) => logSoftmax(first(c), c.args.dim),
  // ... and as a Tensor of integer values, or a number for one unbatched target (crossEntropy).
  crossEntropy: (c) => {
    const { shape, data } = indexArg(c);
    const targets = shape.length === 0 ? data[0]! : tensor(Float32Array.from(data), shape);
    return crossEntropy(named(c, 'logits'), targets, c.args.options);
  },
  mseLoss: (c) => mseLoss(named(c, 'input'), named(c, 'target'), c.args.options),
  bceWithLogits: (c) => {
    const posWeight = c.inputs.get('posWeight');
    const options = posWeight === undefined ? c.args.options : { ...c.args.options, posWeight };
    return bceWithLogits(named(c, 'logits'), named(c, 'targets'), options);
  },
  dropout: (c) => dropout(first(c), c.args.p, c.args.training),
};

// ---- the runner ---------------------------------------------------------------------------------

/**
 * expectClose, except that NaN positions (torch's NaN mean over zero targets) must match exactly and
 * are left out of the norm: relativeError of a tensor holding NaN is NaN, which fails any tolerance.
 */
function expectCloseNaN(actual: Float32Array, expected: Float64Array, label: string): void {
  const nanAt = (a: ArrayLike<number>): number[] => Array.from(a, (v, i) => (Number.isNaN(v) ? i : -1)).filter((i) => i >= 0);
  const expectedNaN = nanAt(expected);
  if (expectedNaN.length === 0) return expectClose(actual, expected, label);
  expect(nanAt(actual), `${label}: NaN positions`).toEqual(expectedNaN);
  const keep = (_: number, i: number): boolean => !Number.isNaN(expected[i]!);
  expectClose(actual.filter(keep), expected.filter(keep), label);
}

function runCase(raw: RawCase): void {
  const op = OPS[raw.op];
  if (op === undefined) throw new Error(`no runner for op ${raw.op}`);
  const inputs = new Map<string, Tensor>();
  for (const input of raw.inputs) {
    inputs.set(input.name, tensor(Float32Array.from(decode(input.data)), input.shape, { requiresGrad: input.grad }));
  }
  const index = raw.index === undefined ? null : { shape: raw.index.shape, data: Int32Array.from(raw.index.data) };

  const out = op({ inputs, index, args: raw.args });
  expect(out.shape, `${raw.name}: output shape`).toEqual(raw.out.shape);
  expectCloseNaN(out.data, decode(raw.out.data), `${raw.name}: output`);

  out.backward(tensor(Float32Array.from(decode(raw.R.data)), raw.R.shape));
  for (const input of raw.inputs) {
    const t = inputs.get(input.name)!;
    const expected = raw.grads[input.name];
    if (!input.grad) {
      expect(t.grad, `${raw.name}: ${input.name} takes no gradient`).toBeNull();
      continue;
    }
    if (expected === undefined) throw new Error(`${raw.name}: fixture lacks the gradient of ${input.name}`);
    expect(t.grad, `${raw.name}: gradient of ${input.name}`).not.toBeNull();
    expect(t.grad!.shape, `${raw.name}: shape of the gradient of ${input.name}`).toEqual(expected.shape);
    expectCloseNaN(t.grad!.data, decode(expected.data), `${raw.name}: gradient of ${input.name}`);
  }
}

it('ops.json covers every op of the table, and nothing else', () => {
  expect(fixture.cases.length).toBeGreaterThan(100);
  expect(new Set(fixture.cases.map((c) => c.op))).toEqual(new Set(Object.keys(OPS)));
});

describeEachBackend('ops against PyTorch 1.13 (float64)', () => {
  for (const raw of fixture.cases) it(raw.name, () => runCase(raw));
});
