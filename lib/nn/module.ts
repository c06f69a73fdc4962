/**
 * Module: the base of every layer and model, after PyTorch's `nn.Module`. A module owns named
 * parameters (Tensors, usually views into one ParameterArena, see parameters.ts) and named child
 * modules, both kept in insertion order, and derives everything else from them:
 *
 * - `namedParameters()`: `[name, Tensor][]` with PyTorch's dotted prefixes (`0.weight_ih_l0` inside
 *   a Sequential, `encoder.weight` for a field), each tensor once;
 * - `stateDict()` / `loadStateDict()`: name → Float32Array copies, loaded back into the existing
 *   buffers so views (arenas, optimizer state) stay valid;
 * - `train()` / `eval()`: the `training` flag, propagated to every child;
 * - `zeroGrad()`, `numParameters()`.
 *
 * Children are registered explicitly (`registerModule`), and, as PyTorch's `__setattr__` does, any
 * own field holding a Module is a child too, named after the field (explicit ones first, then fields
 * in the order they were assigned). Parameters are registered explicitly only, since a Tensor field
 * may just as well be a buffer.
 */
import { Tensor } from '../tensor/tensor.js';
import { ParameterArena, type ParameterSpec } from './parameters.js';
import { checkBoolean, checkOptions, checkKnownOptions, describe, shapeString, typeError } from '../util/check.js';

/** Values `loadStateDict` accepts for one parameter. */
export type StateValue = Float32Array | readonly number[] | Tensor;

export interface LoadStateDictOptions {
  /** Missing or unexpected keys are errors (default true). Shape mismatches always are. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export abstract class Module {
  /** True in training mode (dropout active); set through `train()` / `eval()`. */
  training = true;
  // Own parameters and explicitly registered children, in insertion order. Not enumerable fields of
  // interest for child discovery (they are Maps, not Modules).
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly registeredChildren = new Map<string, Module>();
  /** Arenas created by `allocateParameters`, so flat-gradient helpers can find them. */
  private readonly arenas: ParameterArena[] = [];

  /** Runs the module. Subclasses narrow the signature. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  abstract forward(...args: any[]): any;

  /** Adds a parameter under `name` (no dots); returns it. */
  protected registerParameter(name: string, parameter: Tensor): Tensor {
    checkLocalName('name', name);
    if (!(parameter instanceof Tensor)) throw typeError(name, 'a Tensor', parameter);
    if (this.ownParameters.has(name) || this.registeredChildren.has(name)) {
      throw new RangeError(`${this.constructor.name} already has a parameter or child named ${JSON.stringify(name)}`);
    }
    this.ownParameters.set(name, parameter);
    return parameter;
  }

  /** Adds a child module under `name` (no dots); returns it. */
  protected registerModule<M extends Module>(name: string, module: M): M {
    checkLocalName('name', name);
    if (!(module instanceof Module)) throw typeError(name, 'a Module', module);
    if (this.ownParameters.has(name) || this.registeredChildren.has(name)) {
      throw new RangeError(`${this.constructor.name} already has a parameter or child named ${JSON.stringify(name)}`);
    }
    this.registeredChildren.set(name, module);
    return module;
  }

  /**
   * Allocates one flat arena for `specs`, registers each parameter under its spec name (in spec
   * order) and returns the arena (style rule 4: memory is planned, not discovered).
   */
  protected allocateParameters(specs: readonly ParameterSpec[]): ParameterArena {
    const arena = new ParameterArena(specs);
    for (const [name, p] of arena.entries) this.registerParameter(name, p);
    this.arenas.push(arena);
    return arena;
  }

  /** Direct children: registered ones first, then Module-valued own fields, in assignment order. */
  namedChildren(): [string, Module][] {
    const children: [string, Module][] = [...this.registeredChildren.entries()];
    const seen = new Set<Module>(this.registeredChildren.values());
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module && value !== this && !seen.has(value)) {
        seen.add(value);
        children.push([key, value]);
      }
    }
    return children;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every descendant, with dotted names ('' for this one), depth first, each once. */
  namedModules(prefix = ''): [string, Module][] {
    return this.walkModules(prefix, true);
  }

  /**
   * Depth-first walk. With `dedupe` a module reached twice is listed once (named_modules); without, it
   * is listed under every path (PyTorch's state_dict), still never following a cycle.
   */
  private walkModules(prefix: string, dedupe: boolean): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const path = new Set<Module>();
    const visit = (module: Module, name: string): void => {
      if ((dedupe && seen.has(module)) || path.has(module)) return;
      seen.add(module);
      path.add(module);
      out.push([name, module]);
      for (const [childName, child] of module.namedChildren()) visit(child, name === '' ? childName : `${name}.${childName}`);
      path.delete(module);
    };
    visit(this, prefix);
    return out;
  }

  /**
   * `[name, Tensor]` for every parameter of this module and its descendants: own parameters first,
   * then each child's under `child.`. A tensor (or module) shared by two parents appears once, under
   * its first name, as in PyTorch.
   */
  namedParameters(prefix = ''): [string, Tensor][] {
    return this.allNamedParameters(prefix, true);
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Total number of scalar parameters. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  private allNamedParameters(prefix: string, dedupe: boolean): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [moduleName, module] of this.walkModules(prefix, dedupe)) {
      for (const [name, p] of module.ownParameters) {
        if (dedupe && seen.has(p)) continue;
        seen.add(p);
        out.push([moduleName === '' ? name : `${moduleName}.${name}`, p]);
      }
    }
    return out;
  }

  /** name → a Float32Array copy of every parameter, under every name a shared one has (as PyTorch). */
  stateDict(): Record<string, Float32Array> {
    const dict: Record<string, Float32Array> = {};
    for (const [name, p] of this.allNamedParameters('', false)) dict[name] = Float32Array.from(p.data);
    return dict;
  }

  /**
   * Copies values into the existing parameter buffers. Every value is checked before anything is
   * written, so a failed load leaves the module unchanged. Errors (RangeError) name the key, the
   * expected and the given size or shape. With `strict: false` missing and unexpected keys are
   * reported in the result instead of thrown.
   */
  loadStateDict(
    dict: Record<string, StateValue> | Map<string, StateValue>,
    options?: LoadStateDictOptions,
  ): LoadStateDictResult {
    const opts = checkOptions('options', options);
    checkKnownOptions('options', opts, ['strict']);
    const strict = checkBoolean('strict', opts.strict ?? true);
    if (dict === null || typeof dict !== 'object') throw typeError('stateDict', 'an object or a Map of name → values', dict);
    const entries = new Map<string, StateValue>(dict instanceof Map ? dict : Object.entries(dict));
    const params = this.allNamedParameters('', false);
    const known = new Set(params.map(([name]) => name));
    const missingKeys = params.map(([name]) => name).filter((name) => !entries.has(name));
    const unexpectedKeys = [...entries.keys()].filter((name) => !known.has(name));
    if (strict && missingKeys.length > 0) {
      throw new RangeError(
        `stateDict is missing key ${JSON.stringify(missingKeys[0])}` +
          (missingKeys.length > 1 ? ` (and ${missingKeys.length - 1} more: ${missingKeys.slice(1).join(', ')})` : '') +
          `; expected keys ${[...known].join(', ')}`,
      );
    }
    if (strict && unexpectedKeys.length > 0) {
      throw new RangeError(
        `stateDict has unexpected key ${JSON.stringify(unexpectedKeys[0])}` +
          (unexpectedKeys.length > 1 ? ` (and ${unexpectedKeys.length - 1} more)` : '') +
          `; expected keys ${[...known].join(', ')}`,
      );
    }
    const writes: [Tensor, ArrayLike<number>][] = [];
    for (const [name, p] of params) {
      const value = entries.get(name);
      if (value === undefined) continue;
      writes.push([p, stateValueData(name, value, p)]);
    }
    for (const [p, data] of writes) p.data.set(data);
    return { missingKeys, unexpectedKeys };
  }

  /** Sets training mode on this module and every descendant; returns this. */
  train(mode = true): this {
    checkBoolean('mode', mode);
    for (const [, module] of this.namedModules()) module.training = mode;
    return this;
  }

  /** `train(false)`: dropout off. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clears gradients: `.grad = null` (PyTorch's default `set_to_none`), except gradients that are
   * views of a flat gradient arena (`useFlatGrads`), which are zeroed in place.
   */
  zeroGrad(): void {
    const arenas = this.namedModules().flatMap(([, m]) => m.arenas);
    for (const arena of arenas) arena.grad?.fill(0);
    for (const p of this.parameters()) {
      if (p.grad !== null && !arenas.some((a) => a.ownsGrad(p.grad!))) p.grad = null;
    }
  }

  /**
   * Gives every parameter allocated through an arena a `.grad` that views one flat gradient buffer per
   * arena, zeroed; backward accumulates there in place. Returns the buffers.
   */
  useFlatGrads(): Float32Array[] {
    return this.namedModules().flatMap(([, m]) => m.arenas.map((a) => a.attachFlatGrads()));
  }

  toString(): string {
    const own = [...this.ownParameters].map(([n, p]) => `${n}: ${shapeString(p.shape)}`);
    const kids = this.namedChildren().map(([n, m]) => `(${n}): ${m.toString().replace(/\n/g, '\n  ')}`);
    const body = [...own, ...kids];
    return body.length === 0 ? `${this.constructor.name}()` : `${this.constructor.name}(\n  ${body.join('\n  ')}\n)`;
  }
}

function checkLocalName(argument: string, name: unknown): void {
  if (typeof name !== 'string') throw typeError(argument, 'a string', name);
  if (name === '' || name.includes('.')) throw new RangeError(`${argument} must be a non-empty name without dots, got ${describe(name)}`);
}

/** The values of one state-dict entry, checked against parameter `p` (RangeError naming `key`). */
function stateValueData(key: string, value: StateValue, p: Tensor): ArrayLike<number> {
  if (value instanceof Tensor) {
    const same = value.shape.length === p.shape.length && value.shape.every((d, i) => d === p.shape[i]);
    if (!same) {
      throw new RangeError(`stateDict[${JSON.stringify(key)}] must have shape ${shapeString(p.shape)}, got ${shapeString(value.shape)}`);
    }
    return value.data;
  }
  if (value instanceof Float32Array || Array.isArray(value)) {
    if (value.length !== p.size) {
      throw new RangeError(
        `stateDict[${JSON.stringify(key)}] must have ${p.size} values (shape ${shapeString(p.shape)}), got ${value.length}`,
      );
    }
    if (Array.isArray(value) && !value.every((v) => typeof v === 'number')) {
      throw typeError(`stateDict[${JSON.stringify(key)}]`, 'an array of numbers', value);
    }
    return value;
  }
  throw typeError(`stateDict[${JSON.stringify(key)}]`, 'a Float32Array, a number[] or a Tensor', value);
}
