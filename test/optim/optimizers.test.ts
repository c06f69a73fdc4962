/**
 * Optimizers against torch.optim: 10-step trajectories written by fixtures/generate.py (PyTorch 1.13,
 * float32) on f(p) = Σ c·p² + d·p³/3. Every step's parameters must match within 1e-5 relative.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tensor, tensor, SGD, Adam, AdamW, RMSprop, Adagrad } from '../../lib/index.js';
import { expectClose } from '../helpers/close.js';

interface Trajectories {
  shapes: Record<string, number[]>;
  init: Record<string, number[]>;
  c: Record<string, number[]>;
  d: Record<string, number[]>;
  cases: { optimizer: string; options: Record<string, unknown>; groups: Record<string, unknown>[] | null; trajectory: Record<string, number[]>[] }[];
}

const fixture: Trajectories = JSON.parse(readFileSync(new URL('./fixtures/optim_trajectories.json', import.meta.url), 'utf8'));
const names = Object.keys(fixture.shapes);
const constructors: Record<string, new (params: never, options: never) => { step(): void; zeroGrad(): void; stateDict(): unknown; loadStateDict(d: never): void }> = {
  SGD: SGD as never, Adam: Adam as never, AdamW: AdamW as never, RMSprop: RMSprop as never, Adagrad: Adagrad as never,
};

/** Sets p.grad = 2·c·p + d·p² (float32), the gradient of the fixture's objective. */
function computeGrads(params: Record<string, Tensor>): void {
  for (const k of names) {
    const p = params[k]!;
    const c = fixture.c[k]!;
    const d = fixture.d[k]!;
    const g = new Float32Array(p.size);
    for (let i = 0; i < p.size; i++) g[i] = 2 * c[i]! * p.data[i]! + d[i]! * p.data[i]! * p.data[i]!;
    p.grad = new Tensor(g, p.shape);
  }
}

function build(kase: Trajectories['cases'][number]) {
  const params = Object.fromEntries(names.map((k) => [k, tensor(Float32Array.from(fixture.init[k]!), fixture.shapes[k]!, { requiresGrad: true })]));
  const groups = kase.groups
    ? names.map((k, i) => ({ params: [params[k]!], ...kase.groups![i] }))
    : [{ params: names.map((k) => params[k]!) }];
  const opt = new constructors[kase.optimizer]!(groups as never, kase.options as never);
  return { params, opt };
}

describe('optimizers match torch.optim trajectories', () => {
  fixture.cases.forEach((kase, n) => {
    it(`${kase.optimizer} ${JSON.stringify(kase.options)}${kase.groups ? ' with groups' : ''} (#${n})`, () => {
      const { params, opt } = build(kase);
      kase.trajectory.forEach((expected, step) => {
        opt.zeroGrad();
        computeGrads(params);
        opt.step();
        for (const k of names) expectClose(params[k]!.data, expected[k]!, `${kase.optimizer} step ${step + 1} ${k}`, 1e-5);
      });
    });
  });

  it('stateDict/loadStateDict resumes a trajectory exactly', () => {
    for (const kase of fixture.cases) {
      const straight = build(kase);
      const first = build(kase);
      for (let s = 0; s < 4; s++) {
        for (const run of [straight, first]) {
          run.opt.zeroGrad();
          computeGrads(run.params);
          run.opt.step();
        }
      }
      // A new optimizer over copies of the parameters, restored from the snapshot.
      const resumed = build(kase);
      for (const k of names) resumed.params[k]!.data.set(first.params[k]!.data);
      resumed.opt.loadStateDict(structuredClone(first.opt.stateDict()) as never);
      for (let s = 0; s < 6; s++) {
        for (const run of [straight, resumed]) {
          run.opt.zeroGrad();
          computeGrads(run.params);
          run.opt.step();
        }
      }
      for (const k of names) expect(Array.from(resumed.params[k]!.data)).toEqual(Array.from(straight.params[k]!.data));
    }
  });
});

describe('optimizer option errors', () => {
  const p = () => [tensor([1, 2, 3], [3], { requiresGrad: true })];
  it('names the bad option', () => {
    expect(() => new Adam(p(), { lr: -1 })).toThrow(/lr must be a non-negative number, got -1/);
    expect(() => new Adam(p(), { betas: [0.9, 1.5] })).toThrow(/betas\[1\] must be a number in \[0, 1\), got 1.5/);
    expect(() => new SGD(p(), { lr: 0.1, nesterov: true })).toThrow(/nesterov needs momentum > 0/);
    expect(() => new SGD(p(), {} as never)).toThrow(/options.lr must be/);
    expect(() => new RMSprop(p(), { learningRate: 1 } as never)).toThrow(/unknown option "learningRate"/);
    expect(() => new Adagrad([], {})).toThrow(/params must be a non-empty list/);
    expect(() => new Adam([1, 2] as never)).toThrow(TypeError);
    const shared = p();
    expect(() => new Adam([{ params: shared }, { params: shared }])).toThrow(/more than one place/);
  });
  it('rejects a state dict for other parameters', () => {
    const a = new Adam(p());
    const b = new Adam([...p(), ...p()]);
    expect(() => a.loadStateDict(b.stateDict())).toThrow(/paramGroups\[0\]\.params must be 1 parameters/);
  });
});
