/**
 * SequenceTagger and sequenceCrossEntropy: per-step logits [T, B, C]; the masked loss equals the mean
 * over valid steps computed by hand (float64 log-softmax) and sends no gradient to padded steps;
 * ignoreIndex works alongside lengths; decode; gradcheck; bad input.
 */
import { describe, expect, it } from 'vitest';
import { SequenceTagger, Tensor, sequenceCrossEntropy, tensor } from '../../../lib/index.js';
import { Rng } from '../../../lib/data/rng.js';
import { gradcheck } from '../../helpers/gradcheck.js';
import { expectClose } from '../../helpers/close.js';
import { randomData } from '../../helpers/shapes.js';

/** −log softmax(row)[target] in float64. */
function nll(row: ArrayLike<number>, target: number): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]!);
  let total = 0;
  for (let i = 0; i < row.length; i++) total += Math.exp(row[i]! - max);
  return -(row[target]! - max - Math.log(total));
}

describe('sequenceCrossEntropy', () => {
  const T = 3; const B = 2; const C = 4;
  const logitsData = randomData(new Rng(1), T * B * C, 2);
  const tags = [[1, 3], [0, 2], [2, 1]];

  it('is the mean over valid steps only, and padded steps get no gradient', () => {
    const logits = new Tensor(logitsData.slice(), [T, B, C], { requiresGrad: true });
    const loss = sequenceCrossEntropy(logits, tags, { lengths: [3, 1] });
    // Valid (t, b): (0,0) (1,0) (2,0) (0,1).
    const valid = [[0, 0], [1, 0], [2, 0], [0, 1]] as const;
    const expected = valid.reduce((s, [t, b]) => s + nll(logitsData.subarray((t * B + b) * C, (t * B + b + 1) * C), tags[t]![b]!), 0) / valid.length;
    expectClose([loss.item()], [expected], 'masked loss');
    loss.backward();
    for (const t of [1, 2]) expect([...logits.grad!.data.slice((t * B + 1) * C, (t * B + 2) * C)]).toEqual([0, 0, 0, 0]);
  });

  it('combines lengths with ignoreIndex targets, and sum reduction', () => {
    const logits = new Tensor(logitsData.slice(), [T, B, C]);
    const loss = sequenceCrossEntropy(logits, [[1, -100], [-100, 2], [2, 1]], { lengths: [3, 2], reduction: 'sum' });
    const expected = nll(logitsData.subarray(0, C), 1) + nll(logitsData.subarray(3 * C, 4 * C), 2) + nll(logitsData.subarray(4 * C, 5 * C), 2);
    expectClose([loss.item()], [expected], 'sum loss');
  });

  it('rejects mismatched targets', () => {
    const logits = new Tensor(logitsData.slice(), [T, B, C]);
    expect(() => sequenceCrossEntropy(logits, [[1, 2]])).toThrow(/targets must have shape \[3, 2\] to match logits \[3, 2, 4\], got \[1, 2\]/);
    expect(() => sequenceCrossEntropy(logits, tags, { reduction: 'none' as never })).toThrow(/reduction must be "mean" or "sum"/);
  });
});

describe('SequenceTagger', () => {
  it('per-step logits [T, B, C], names, decode to lengths', () => {
    const model = new SequenceTagger({ vocabSize: 8, embeddingDim: 3, hiddenSize: 4, numTags: 5, bidirectional: true, rng: new Rng(2) });
    const logits = model.forward(tensor([[1, 2], [3, 4], [5, 0]]), { lengths: [3, 2] });
    expect(logits.shape).toEqual([3, 2, 5]);
    expect(model.namedParameters().map(([n]) => n).at(-2)).toBe('classifier.weight');
    const decoded = model.decode(logits, [3, 2]);
    expect(decoded.map((r) => r.length)).toEqual([3, 2]);
    // Each decoded tag is the argmax of its step's logits.
    for (const [b, row] of decoded.entries()) {
      row.forEach((tag, t) => {
        const step = [...logits.data.slice((t * 2 + b) * 5, (t * 2 + b + 1) * 5)];
        expect(tag).toBe(step.indexOf(Math.max(...step)));
      });
    }
  });

  it('valid steps do not depend on padding', () => {
    const model = new SequenceTagger({ vocabSize: 8, embeddingDim: 3, hiddenSize: 4, numTags: 3, bidirectional: true, rng: new Rng(3) });
    const a = model.forward(tensor([[1, 2], [3, 4], [5, 6]]), { lengths: [3, 1] });
    const b = model.forward(tensor([[1, 2], [3, 7], [5, 7]]), { lengths: [3, 1] });
    const alone = model.forward(tensor([[2]]));
    expectClose(a.data.slice(3, 6), alone.data, 'row 1 step 0');
    expect([...a.data.slice(0, 3)]).toEqual([...b.data.slice(0, 3)]);
  });

  it('gradcheck of the masked loss through the whole tagger', () => {
    const model = new SequenceTagger({ inputSize: 2, hiddenSize: 3, numTags: 3, bidirectional: true, cell: 'gru', rng: new Rng(4) });
    const x = new Tensor(randomData(new Rng(5), 3 * 2 * 2), [3, 2, 2], { requiresGrad: true });
    const tags = [[0, 2], [1, 1], [2, 0]];
    gradcheck(() => model.loss(model.forward(x, { lengths: [3, 2] }), tags, { lengths: [3, 2] }), [x, ...model.parameters()]);
  });
});
