/**
 * Optimizer base class, after torch.optim.Optimizer: parameter groups with their own options, lazily
 * created per-parameter state, zeroGrad, step, and stateDict/loadStateDict in PyTorch's shape
 * ({ state: { [paramIndex]: {...} }, paramGroups: [{ ...options, params: [indices] }] }).
 *
 * A subclass supplies its defaults, checks its options and implements `updateParameter`, the update of
 * one parameter from its gradient; the loop over groups and parameters lives here once.
 */
import { Tensor } from '../tensor/tensor.js';
import { checkKnownOptions, checkOptions, describe, rangeError, typeError } from '../util/check.js';

/** Per-parameter optimizer state: buffers and counters. */
export type ParamState = Record<string, Float32Array | number>;

export interface ParamGroupSpec<O> {
  params: Iterable<Tensor>;
  /** Options for this group; anything left out comes from the optimizer's options. */
  [option: string]: unknown;
}

export type ParamGroup<O> = O & { params: Tensor[] };

export interface OptimizerStateDict<O> {
  state: Record<number, ParamState>;
  paramGroups: (O & { params: number[] })[];
}

export abstract class Optimizer<O extends { lr: number }> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Keyed by the parameter tensor; created on its first update. */
  protected readonly state = new Map<Tensor, ParamState>();

  constructor(
    params: Iterable<Tensor> | Iterable<ParamGroupSpec<O>>,
    defaults: O,
    optionNames: readonly (keyof O & string)[],
  ) {
    checkKnownOptions('options', defaults, optionNames);
    const list = params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function'
      ? null
      : [...(params as Iterable<unknown>)];
    if (list === null) throw typeError('params', 'an iterable of Tensors or of parameter groups', params);
    if (list.length === 0) throw rangeError('params', 'a non-empty list of parameters', list);
    const groups: ParamGroupSpec<O>[] = list[0] instanceof Tensor ? [{ params: list as Tensor[] }] : (list as ParamGroupSpec<O>[]);
    const seen = new Set<Tensor>();
    groups.forEach((spec, g) => {
      checkOptions(`params[${g}]`, spec);
      const groupParams = [...(spec.params ?? [])];
      groupParams.forEach((p, i) => {
        if (!(p instanceof Tensor)) throw typeError(`params[${g}].params[${i}]`, 'a Tensor', p);
        if (seen.has(p)) throw new RangeError(`params[${g}].params[${i}] appears in more than one place; each parameter may be given once`);
        seen.add(p);
      });
      for (const key of Object.keys(spec)) {
        if (key !== 'params' && !optionNames.includes(key as keyof O & string)) {
          throw new RangeError(`params[${g}] has an unknown option ${JSON.stringify(key)}; expected some of ${optionNames.join(', ')}`);
        }
      }
      const options = { ...defaults } as O;
      for (const name of optionNames) if (spec[name] !== undefined) (options as Record<string, unknown>)[name] = spec[name];
      this.checkGroupOptions(options, `params[${g}]`);
      this.paramGroups.push({ ...options, params: groupParams });
    });
  }

  /** Validates one group's options; `where` names the group in messages. */
  protected abstract checkGroupOptions(options: O, where: string): void;

  /** Updates `param.data` in place from `grad`, using and updating `state`. */
  protected abstract updateParameter(param: Float32Array, grad: Float32Array, state: ParamState, options: O): void;

  /** Sets every parameter's gradient to null (PyTorch's set_to_none default). */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of group.params) p.grad = null;
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        let state = this.state.get(p);
        if (state === undefined) {
          state = {};
          this.state.set(p, state);
        }
        this.updateParameter(p.data, p.grad.data, state, group);
      }
    }
  }

  /** A snapshot (copies) of the state and the group options, parameters referred to by index. */
  stateDict(): OptimizerStateDict<O> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const { params, ...options } = group;
      return { ...(options as unknown as O), params: params.map((p) => { const i = index.size; index.set(p, i); return i; }) };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) copy[k] = typeof v === 'number' ? v : Float32Array.from(v);
      state[index.get(p)!] = copy;
    }
    return { state, paramGroups };
  }

  /** Restores a `stateDict()`; the optimizer must have been built over the same parameters. */
  loadStateDict(dict: OptimizerStateDict<O>): void {
    if (dict === null || typeof dict !== 'object' || !Array.isArray(dict.paramGroups)) {
      throw typeError('stateDict', 'an object with paramGroups and state', dict);
    }
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw rangeError('stateDict.paramGroups', `${this.paramGroups.length} groups`, `${dict.paramGroups.length} groups`);
    }
    const byIndex: Tensor[] = [];
    dict.paramGroups.forEach((saved, g) => {
      const group = this.paramGroups[g]!;
      if (!Array.isArray(saved.params) || saved.params.length !== group.params.length) {
        throw rangeError(`stateDict.paramGroups[${g}].params`, `${group.params.length} parameters`, describe(saved.params));
      }
      saved.params.forEach((i, j) => (byIndex[i] = group.params[j]!));
    });
    const restored = new Map<Tensor, ParamState>();
    for (const [key, s] of Object.entries(dict.state ?? {})) {
      const p = byIndex[Number(key)];
      if (p === undefined) throw new RangeError(`stateDict.state has an entry for parameter ${key}, which no group lists`);
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) {
        if (typeof v === 'number') copy[k] = v;
        else if (v instanceof Float32Array || Array.isArray(v)) {
          if (v.length !== p.size) throw rangeError(`stateDict.state[${key}].${k}`, `${p.size} values`, `${v.length} values`);
          copy[k] = Float32Array.from(v);
        } else throw typeError(`stateDict.state[${key}].${k}`, 'a number or a Float32Array', v);
      }
      restored.set(p, copy);
    }
    dict.paramGroups.forEach((saved, g) => {
      const { params: _params, ...options } = saved;
      const merged = { ...this.paramGroups[g]!, ...options } as ParamGroup<O>;
      this.checkGroupOptions(merged, `stateDict.paramGroups[${g}]`);
      Object.assign(this.paramGroups[g]!, options);
    });
    this.state.clear();
    for (const [p, s] of restored) this.state.set(p, s);
  }
}

/** The buffer named `name` in `state`, created zero-filled (or `fill`) on first use. */
export function buffer(state: ParamState, name: string, length: number, fill = 0): Float32Array {
  let b = state[name];
  if (!(b instanceof Float32Array)) {
    b = new Float32Array(length);
    if (fill !== 0) b.fill(fill);
    state[name] = b;
  }
  return b;
}
