/**
 * Learning-rate schedules against torch.optim.lr_scheduler: the lr after each of 25 steps, written by
 * fixtures/generate.py. PyTorch computes some schedules recursively and we in closed form, so the
 * comparison allows 1e-9 relative.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor, SGD, StepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ReduceLROnPlateau } from '../../lib/index.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/lr_schedules.json', import.meta.url), 'utf8')) as {
  baseLr: number;
  metrics: number[];
  cases: { scheduler: string; options: Record<string, number>; lrs: number[] }[];
};

function make(name: string, options: Record<string, number>) {
  const opt = new SGD([tensor([0], [1], { requiresGrad: true })], { lr: fixture.baseLr });
  const sched =
    name === 'StepLR' ? new StepLR(opt, options as never)
    : name === 'ExponentialLR' ? new ExponentialLR(opt, options as never)
    : name === 'CosineAnnealingLR' ? new CosineAnnealingLR(opt, options as never)
    : name === 'LinearLR' ? new LinearLR(opt, options as never)
    : new ReduceLROnPlateau(opt, options as never);
  return { opt, sched };
}

describe('learning-rate schedules match torch', () => {
  for (const kase of fixture.cases) {
    it(`${kase.scheduler} ${JSON.stringify(kase.options)}`, () => {
      const { opt, sched } = make(kase.scheduler, kase.options);
      const lrs = [opt.paramGroups[0]!.lr];
      for (let epoch = 0; epoch < 25; epoch++) {
        if (sched instanceof ReduceLROnPlateau) sched.step(fixture.metrics[epoch]!);
        else sched.step();
        lrs.push(opt.paramGroups[0]!.lr);
      }
      lrs.forEach((lr, i) => expect(Math.abs(lr - kase.lrs[i]!), `epoch ${i}: ${lr} vs ${kase.lrs[i]}`).toBeLessThanOrEqual(1e-9 * Math.abs(kase.lrs[i]!)));
    });

    it(`${kase.scheduler} resumes from stateDict`, () => {
      const straight = make(kase.scheduler, kase.options);
      const first = make(kase.scheduler, kase.options);
      const stepOf = (s: typeof straight.sched, e: number) => (s instanceof ReduceLROnPlateau ? s.step(fixture.metrics[e]!) : s.step());
      for (let e = 0; e < 9; e++) { stepOf(straight.sched, e); stepOf(first.sched, e); }
      const resumed = make(kase.scheduler, kase.options);
      resumed.sched.loadStateDict(JSON.parse(JSON.stringify(first.sched.stateDict())));
      for (let e = 9; e < 25; e++) { stepOf(straight.sched, e); stepOf(resumed.sched, e); }
      expect(resumed.opt.paramGroups[0]!.lr).toBe(straight.opt.paramGroups[0]!.lr);
    });
  }

  it('rejects bad options with named arguments', () => {
    const opt = new SGD([tensor([0], [1], { requiresGrad: true })], { lr: 0.1 });
    expect(() => new StepLR(opt, { stepSize: 0 })).toThrow(/options.stepSize must be a positive integer, got 0/);
    expect(() => new CosineAnnealingLR(opt, { tMax: 10, etaMn: 0 } as never)).toThrow(/unknown option "etaMn"/);
    expect(() => new ReduceLROnPlateau(opt, { mode: 'lowest' as never })).toThrow(/options.mode must be one of "min", "max", got "lowest"/);
    expect(() => new ReduceLROnPlateau(opt).step(NaN)).toThrow(/metric must be a finite number, got NaN/);
  });
});
