/**
 * Argument checks shared by the op files: tensor operands, integer index arguments (class targets,
 * embedding and gather indices) and the `reduction` option of the losses. Messages follow
 * lib/util/check.ts: `name must be expected, got actual`. No math here.
 *
 * `Tensor` is only used inside functions: tensor.ts imports the op files, so a top-level use would
 * hit the ESM import cycle before the class exists.
 */
import { Tensor } from '../tensor.js';
import { checkOneOf, describe, shapeString, typeError } from '../../util/check.js';
import { shapeSize } from '../broadcast.js';

/** `value` as a Tensor, or a TypeError naming `name`. */
export function checkTensor(name: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) throw typeError(name, 'a Tensor', value);
  return value;
}

/** A tensor with at least `minDims` dimensions. */
export function checkMinDims(name: string, t: Tensor, minDims: number): Tensor {
  if (t.shape.length < minDims) {
    throw new RangeError(`${name} must have at least ${minDims} dimension${minDims === 1 ? '' : 's'}, got shape ${shapeString(t.shape)}`);
  }
  return t;
}

/** Integer indices with a shape, as the index-taking ops use them. */
export interface IndexArray {
  data: Int32Array;
  shape: number[];
}

/** What the index-taking ops accept: a Tensor of integer values, an Int32Array, or a (nested) number array. */
export type IndexLike = Tensor | Int32Array | readonly number[] | readonly (readonly number[])[] | readonly unknown[];

function nestedShape(value: readonly unknown[]): number[] {
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

/**
 * Converts integer indices to an Int32Array with a shape. A Tensor keeps its shape; an Int32Array is
 * 1-D unless `shape` says otherwise; nested arrays must be rectangular. Every value must be an
 * integer (range checks are the caller's, who knows the valid range).
 */
export function toIndexArray(name: string, value: unknown, shape?: readonly number[]): IndexArray {
  let data: Int32Array;
  let inferred: number[];
  if (value instanceof Tensor) {
    data = new Int32Array(value.size);
    for (let i = 0; i < value.size; i++) {
      const v = value.data[i]!;
      if (!Number.isInteger(v)) throw new RangeError(`${name} must hold integer values, got ${v} at flat index ${i}`);
      data[i] = v;
    }
    inferred = value.shape.slice();
  } else if (value instanceof Int32Array) {
    data = Int32Array.from(value); // a copy: backward reads it later, and loaders reuse their buffers
    inferred = [value.length];
  } else if (Array.isArray(value)) {
    inferred = nestedShape(value);
    const flat = (value as unknown[]).flat(Infinity);
    if (flat.length !== shapeSize(inferred)) throw typeError(name, 'a rectangular nested array of integers', value);
    data = new Int32Array(flat.length);
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i];
      if (typeof v !== 'number') throw typeError(name, 'an array of integers', value);
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
        throw new RangeError(`${name} must hold integer values, got ${v} at flat index ${i}`);
      }
      data[i] = v;
    }
  } else {
    throw typeError(name, 'a Tensor of integer values, an Int32Array or an array of integers', describe(value));
  }
  if (shape !== undefined) {
    if (shapeSize(shape) !== data.length) {
      throw new RangeError(`${name} must have ${shapeSize(shape)} elements to fit shape ${shapeString(shape)}, got ${data.length}`);
    }
    inferred = shape.slice();
  }
  return { data, shape: inferred };
}

export type Reduction = 'mean' | 'sum' | 'none';

export function checkReduction(value: unknown): Reduction {
  return checkOneOf('reduction', value, ['mean', 'sum', 'none']);
}
