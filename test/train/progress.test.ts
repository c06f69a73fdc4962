/**
 * Progress output with a fake stream and clock: plain periodic lines when the stream is not a
 * terminal, one redrawn bar line on a terminal, JSON lines, and epoch summaries.
 */
import { describe, expect, it } from 'vitest';
import { Progress, type ProgressStream } from '../../lib/train/progress.js';

function fakeStream(isTTY: boolean): ProgressStream & { text: string } {
  const s = { text: '', isTTY, columns: 200, write(t: string) { s.text += t; return true; } };
  return s;
}

/** Steps 1..n at `msPerStep`, loss 1/step, lr 1e-3. */
function run(p: Progress, clock: { t: number }, n: number, total: number | null, msPerStep = 100): void {
  p.startEpoch(total);
  for (let s = 1; s <= n; s++) {
    clock.t += msPerStep;
    p.update({ epoch: 0, epochs: 2, stepInEpoch: s, globalStep: s, loss: 1 / s, lr: 1e-3 });
  }
}

describe('Progress', () => {
  it('not a TTY: plain lines every everySteps steps, no carriage returns', () => {
    const stream = fakeStream(false);
    const clock = { t: 0 };
    const p = new Progress({ stream, everySteps: 2, now: () => clock.t });
    expect(p.mode).toBe('lines');
    run(p, clock, 4, 4);
    p.endEpoch(0, 2, { epoch: 0, loss: 0.5, valLoss: 0.25 });
    const lines = stream.text.trimEnd().split('\n');
    expect(stream.text).not.toContain('\r');
    expect(lines).toHaveLength(3);
    // 2 steps in 0.2 s → 10 steps/s; 2 left → ETA 0:00 (rounded); running loss is the bias-corrected EMA
    expect(lines[0]).toMatch(/^epoch 1\/2  step 2\/4  10\.0 steps\/s  ETA 0:00  loss 0\.\d{4}  lr 1\.00e-3$/);
    expect(lines[1]).toMatch(/^epoch 1\/2  step 4\/4  10\.0 steps\/s  ETA 0:00  loss /);
    expect(lines[2]).toBe('epoch 1/2  loss 0.5000  valLoss 0.2500  (0.4 s)');
  });

  it('not a TTY, by time: one line per interval, and always the epoch’s last step', () => {
    const stream = fakeStream(false);
    const clock = { t: 0 };
    const p = new Progress({ stream, intervalMs: 1000, now: () => clock.t });
    run(p, clock, 25, 25); // 100 ms per step: lines at steps 1 (first), 11, 21, and 25 (last)
    const steps = stream.text.trimEnd().split('\n').map((l) => /step (\d+)\//.exec(l)![1]);
    expect(steps).toEqual(['1', '11', '21', '25']);
    expect(stream.text).toContain('ETA 0:01'); // at step 11: 14 left at 10/s
  });

  it('the running loss is the bias-corrected moving average', () => {
    const p = new Progress({ stream: fakeStream(false), mode: 'none', smoothing: 0.5 });
    p.update({ epoch: 0, epochs: 1, stepInEpoch: 1, globalStep: 1, loss: 2, lr: 1 });
    expect(p.runningLoss()).toBe(2);
    p.update({ epoch: 0, epochs: 1, stepInEpoch: 2, globalStep: 2, loss: 4, lr: 1 });
    // (0.5·0.5·2 + 0.5·4) / (1 − 0.5²) = 2.5 / 0.75
    expect(p.runningLoss()).toBeCloseTo(2.5 / 0.75, 12);
    p.update({ epoch: 0, epochs: 1, stepInEpoch: 3, globalStep: 3, loss: NaN, lr: 1 }); // skipped steps do not poison it
    expect(p.runningLoss()).toBeCloseTo(2.5 / 0.75, 12);
  });

  it('TTY: one line redrawn in place with a bar, cleared before messages and epoch lines', () => {
    const stream = fakeStream(true);
    const clock = { t: 0 };
    const p = new Progress({ stream, now: () => clock.t });
    expect(p.mode).toBe('bar');
    run(p, clock, 10, 20);
    expect(stream.text).not.toContain('\n');
    const frames = stream.text.split('\r\x1b[2K').filter((f) => f !== '');
    expect(frames).toHaveLength(10); // 100 ms per step = the default bar interval
    expect(frames[9]).toMatch(/^epoch 1\/2  \[#{10}-{10}\]  10\/20  10\.0 steps\/s  ETA 0:01  loss \S+  lr 1\.00e-3$/);
    p.message('checkpoint saved');
    expect(stream.text.endsWith('\r\x1b[2Kcheckpoint saved\n')).toBe(true);
  });

  it('json: one parseable object per line', () => {
    const stream = fakeStream(true);
    const clock = { t: 0 };
    const p = new Progress({ stream, mode: 'json', everySteps: 5, now: () => clock.t });
    run(p, clock, 5, null);
    p.endEpoch(0, 2, { epoch: 0, loss: 0.5 });
    p.message('hello');
    const events = stream.text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ event: 'step', epoch: 1, epochs: 2, step: 5, total: null, globalStep: 5, loss: 0.2, lr: 1e-3, stepsPerSecond: 10, etaSeconds: null });
    expect(events[1]).toEqual({ event: 'epoch', epoch: 1, epochs: 2, loss: 0.5, seconds: 0.5 });
    expect(events[2]).toEqual({ event: 'message', message: 'hello' });
  });

  it('checks its options', () => {
    expect(() => new Progress({ mode: 'fancy' as never })).toThrow(/mode must be one of "auto", "bar", "lines", "json", "none", got "fancy"/);
    expect(() => new Progress({ stream: {} as never })).toThrow(/stream must be a writable stream/);
    expect(() => new Progress({ everySteps: -1 })).toThrow(/everySteps must be a non-negative integer/);
  });
});
