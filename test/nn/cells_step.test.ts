/**
 * Cells stepping without the tape (cells.ts stepWithoutTape): under noGrad, on a backend with
 * recurrentStep (the native one), a step is one positional kernel call, and for LSTM at batch ≤ 4
 * the kernel's streaming path (lstm.cc: fused blocks split among threads, block order reversed
 * every other call). It must give the recorded step's values on odd sizes, batch 1..5, every cell
 * kind, 1 and 2 threads, calls in a row, and must read the weights afresh at every call: nothing is
 * cached, so weights written in place between two steps are the ones the second step uses.
 */
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GRUCell, LSTMCell, RNNCell, Tensor, getBackend, noGrad, setNumThreads, getNumThreads, tensor } from '../../lib/index.js';
import { isNativeAvailable, setBackend } from '../../lib/backend/index.js';
import { Rng } from '../../lib/data/rng.js';
import { expectAllClose, expectClose } from '../helpers/close.js';
import { randomData } from '../helpers/shapes.js';

type AnyCell = RNNCell | LSTMCell | GRUCell;
type Kind = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru';

function makeCell(kind: Kind, I: number, H: number, bias: boolean, seed: number): AnyCell {
  const options = { inputSize: I, hiddenSize: H, bias, rng: new Rng(seed) };
  if (kind === 'lstm') return new LSTMCell(options);
  if (kind === 'gru') return new GRUCell(options);
  return new RNNCell({ ...options, nonlinearity: kind === 'rnn_relu' ? 'relu' : 'tanh' });
}

/** One step on a uniform state representation: [h', c' or null]. */
function step(cell: AnyCell, x: Tensor, h: Tensor, c: Tensor | null): [Tensor, Tensor | null] {
  if (cell instanceof LSTMCell) return cell.forward(x, [h, c!]);
  return [cell.forward(x, h), null];
}

function check(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expectClose(actual, expected, label);
  expectAllClose(actual, expected, label);
}

describe.runIf(isNativeAvailable())('cells: steps without the tape (native recurrentStep)', () => {
  const initialThreads = isNativeAvailable() ? (setBackend('native'), getNumThreads()) : 1;
  beforeEach(() => setBackend('native'));
  afterAll(() => setNumThreads(initialThreads));

  const sizes: [number, number, number][] = [
    [1, 1, 1], [3, 3, 1], [17, 17, 3], [129, 129, 1], [3, 129, 4], [129, 17, 2], [17, 33, 5], [256, 256, 1],
  ];
  for (const threads of [1, 2]) {
    for (const kind of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const) {
      for (const [I, H, B] of sizes) {
        it(`${kind} I=${I} H=${H} B=${B}, ${threads} thread(s): three steps in a row = the recorded steps`, () => {
          setNumThreads(threads);
          const seed = 1000 * I + 10 * H + B;
          const cell = makeCell(kind, I, H, (I + H + B) % 2 === 0, seed);
          const rng = new Rng(seed + 1);
          const spy = vi.spyOn(getBackend(), 'recurrentStep');
          let h = tensor(randomData(rng, B * H, 0.5), [B, H]);
          let c: Tensor | null = kind === 'lstm' ? tensor(randomData(rng, B * H, 0.5), [B, H]) : null;
          let hTaped = h;
          let cTaped = c;
          // Three calls: the streaming path walks its blocks forward, backward, forward.
          for (let t = 0; t < 3; t++) {
            const x = tensor(randomData(rng, B * I), [B, I]);
            [h, c] = noGrad(() => step(cell, x, h, c));
            [hTaped, cTaped] = step(cell, x, hTaped, cTaped); // parameters need gradients: recorded
            expect(h.shape).toEqual([B, H]);
            expect(h.requiresGrad).toBe(false);
            expect(hTaped.gradFn).not.toBeNull();
            check(`h after step ${t}`, h.data, hTaped.data);
            if (c !== null) check(`c after step ${t}`, c.data, cTaped!.data);
          }
          expect(spy).toHaveBeenCalledTimes(3); // only the noGrad steps took the positional call
          spy.mockRestore();
        });
      }
    }
  }

  it('equals the js backend (LSTM I=H=256, B=1, unbatched and omitted state)', () => {
    const cell = makeCell('lstm', 256, 256, true, 5) as LSTMCell;
    const x = tensor(randomData(new Rng(6), 256));
    const nativeStep = noGrad(() => cell.forward(x));
    setBackend('js');
    const jsStep = noGrad(() => cell.forward(x));
    expect(nativeStep[0].shape).toEqual([256]);
    check('h', nativeStep[0].data, jsStep[0].data);
    check('c', nativeStep[1].data, jsStep[1].data);
  });

  for (const threads of [1, 2]) {
    it(`weights written in place between steps are used by the next step (nothing cached), ${threads} thread(s)`, () => {
      setNumThreads(threads);
      const cell = makeCell('lstm', 256, 256, true, 7) as LSTMCell;
      const rng = new Rng(8);
      const x = tensor(randomData(rng, 256), [1, 256]);
      const state: [Tensor, Tensor] = [tensor(randomData(rng, 256, 0.5), [1, 256]), tensor(randomData(rng, 256, 0.5), [1, 256])];
      const before = noGrad(() => cell.forward(x, state));
      noGrad(() => cell.forward(x, state)); // the other block order, too
      // In-place writes of every kind a user or an optimizer makes: one weight, a row, a bias.
      cell.weightHh.data[4 * 256 * 256 - 1] += 0.5; // last row of W_hh (gate o, last unit)
      cell.weightIh.data.fill(0.01, 0, 256); // first row of W_ih (gate i, first unit)
      cell.biasHh!.data[3 * 256 + 100] -= 2; // gate o of unit 100
      const after = noGrad(() => cell.forward(x, state));
      const taped = cell.forward(x, state);
      check('h after the writes', after[0].data, taped[0].data);
      check('c after the writes', after[1].data, taped[1].data);
      for (const unit of [0, 100, 255]) expect(after[0].data[unit]).not.toBe(before[0].data[unit]);
    });
  }
});
