/**
 * Sequential: children named '0', '1', … in order, each fed the previous one's output, as PyTorch's
 * `nn.Sequential`. Parameter names get the index prefix (`0.weight_ih_l0`, `1.weight`).
 *
 * Like PyTorch, it passes outputs through unchanged: a recurrent layer returns `[out, state]`, so
 * put it last or wrap it in a module that picks `out`.
 */
import { Module } from './module.js';
import { typeError } from '../util/check.js';

export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw typeError(`modules[${i}]`, 'a Module', m);
      this.registerModule(String(i), m);
    });
  }

  get length(): number {
    return this.children().length;
  }

  /** The child at `index`. */
  at(index: number): Module | undefined {
    return this.children().at(index);
  }

  // Returns whatever the last child returns (any, so callers need no cast for the usual Tensor).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forward(input: unknown): any {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let value: any = input;
    for (const m of this.children()) value = m.forward(value);
    return value;
  }
}
