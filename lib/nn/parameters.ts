/**
 * Parameter arena: every parameter of one module lives in a single flat Float32Array, and each
 * parameter Tensor's `data` is a named subarray view into it (llm.c's `fill_in_parameter_sizes` +
 * `malloc_and_point_parameters`; PyTorch's `_flat_weights`; char-rnn's `combine_all_parameters`).
 * A fused optimizer step, a checkpoint or a parity check each touch one buffer, and nothing is
 * reallocated after construction: loading a state dict copies into the views.
 *
 * Gradients can live in one flat buffer too (`attachFlatGrads`): each parameter's `.grad` becomes a
 * zeroed view of the gradient arena, and autograd accumulates into it in place.
 *
 * This file knows nothing of initialisation (init.ts) or naming prefixes (module.ts).
 */
import { getBackend } from '../backend/index.js';
import { Tensor, numel } from '../tensor/tensor.js';
import { checkShapeArray } from '../util/check.js';

/** One parameter of the arena: its name inside the module and its shape. */
export interface ParameterSpec {
  name: string;
  shape: number[];
}

/** `length` zeroed floats, on a 64-byte boundary when the backend can place them there. */
function zeroedFloats(length: number): Float32Array {
  return getBackend().allocateAligned?.(length) ?? new Float32Array(length);
}

export class ParameterArena {
  /** All parameter values, in spec order. */
  readonly data: Float32Array;
  /** The parameters, in spec order; each `data` is a subarray of `this.data`. */
  readonly entries: readonly (readonly [string, Tensor])[];
  /** Where each parameter starts in `data` (same order as `entries`). */
  readonly offsets: readonly number[];
  /** The flat gradient buffer once `attachFlatGrads` has run, else null. */
  grad: Float32Array | null = null;

  constructor(specs: readonly ParameterSpec[]) {
    const offsets: number[] = [];
    let total = 0;
    for (const spec of specs) {
      checkShapeArray(`shape of parameter ${spec.name}`, spec.shape);
      offsets.push(total);
      total += numel(spec.shape);
    }
    // On a 64-byte boundary when the backend can place it there (Backend.allocateAligned): then so is
    // every parameter whose predecessors' sizes are multiples of 16 floats (every recurrent layer
    // with H a multiple of 4), and the native kernels read them on vector boundaries.
    this.data = zeroedFloats(total);
    this.offsets = offsets;
    this.entries = specs.map((spec, i) => {
      const view = this.data.subarray(offsets[i]!, offsets[i]! + numel(spec.shape));
      return [spec.name, new Tensor(view, spec.shape, { requiresGrad: true })] as const;
    });
  }

  /** The parameter called `name`; throws when there is none. */
  get(name: string): Tensor {
    const entry = this.entries.find(([n]) => n === name);
    if (entry === undefined) throw new RangeError(`no parameter named ${JSON.stringify(name)} in this arena`);
    return entry[1];
  }

  /**
   * Gives every parameter a `.grad` that is a view of one flat, zeroed gradient buffer (allocated
   * once). Backward then accumulates into that buffer; `zeroGrads` clears it with one fill.
   */
  attachFlatGrads(): Float32Array {
    const grad = (this.grad ??= zeroedFloats(this.data.length));
    this.entries.forEach(([, p], i) => {
      p.grad = new Tensor(grad.subarray(this.offsets[i]!, this.offsets[i]! + p.size), p.shape);
    });
    return grad;
  }

  /** Whether `t` is one of this arena's flat gradient views. */
  ownsGrad(t: Tensor): boolean {
    return this.grad !== null && t.data.buffer === this.grad.buffer;
  }
}
