/**
 * Metrics against values worked out by hand: argmax accuracy with ignored targets and ties,
 * perplexity, token-level F1 (macro, micro, ignored classes), and the epoch accumulators fit uses.
 */
import { describe, expect, it } from 'vitest';
import {
  Accuracy, F1, MeanLoss, Perplexity, accuracy, accuracyCounts, argmaxClasses, createMetric, f1Score, perplexity,
} from '../../lib/train/metrics.js';
import { tensor } from '../../lib/tensor/tensor.js';

describe('accuracy', () => {
  it('counts argmax hits, skipping ignoreIndex; ties go to the first class', () => {
    // rows: argmax 1, 0, 2, and a tie between 0 and 1 → 0
    const logits = tensor([[1, 2, 0], [3, 0, 0], [0, 0, 5], [1, 1, 0]]);
    expect(Array.from(argmaxClasses(logits))).toEqual([1, 0, 2, 0]);
    expect(accuracyCounts(logits, [1, 0, 1, -100])).toEqual({ correct: 2, total: 3 });
    expect(accuracy(logits, [1, 0, 1, -100])).toBe(2 / 3);
    expect(accuracy(logits, new Int32Array([1, 0, 2, 0]))).toBe(1);
    expect(accuracy(logits, [1, 0, 1, 7], { ignoreIndex: 7 })).toBe(2 / 3);
  });

  it('reads classes on dim 1 of [N, C, T] logits, as crossEntropy does', () => {
    // N=1, C=2, T=3: class scores per time step t are (x[0,0,t], x[0,1,t])
    const logits = tensor([[[0, 5, 1], [1, 0, 2]]]);
    expect(Array.from(argmaxClasses(logits))).toEqual([1, 0, 1]);
    expect(accuracy(logits, [[1, 1, 1]])).toBe(2 / 3);
  });

  it('rejects targets of the wrong length', () => {
    expect(() => accuracy(tensor([[1, 2]]), [0, 1])).toThrow(/targets must have 1 entries/);
  });
});

describe('perplexity and F1', () => {
  it('perplexity = exp(mean loss)', () => {
    expect(perplexity(Math.log(20))).toBeCloseTo(20, 12);
    expect(perplexity(0)).toBe(1);
    expect(() => perplexity(NaN)).toThrow(/meanLoss must be a finite number/);
  });

  it('token-level F1: per class 2TP/(2TP+FP+FN), macro and micro', () => {
    const predicted = [0, 1, 1, 2, 2, 0];
    const target = [0, 1, 2, 2, 1, 0];
    // class 0: TP 2 → F1 1; class 1: TP 1, FP 1, FN 1 → 0.5; class 2: TP 1, FP 1, FN 1 → 0.5
    expect(f1Score(predicted, target)).toBeCloseTo((1 + 0.5 + 0.5) / 3, 12);
    // pooled: TP 4, FP 2, FN 2 → 8/12
    expect(f1Score(predicted, target, { average: 'micro' })).toBeCloseTo(8 / 12, 12);
    // without class 0 (an 'O' tag): macro (0.5 + 0.5)/2; micro TP 2, FP 2, FN 2 → 0.5
    expect(f1Score(predicted, target, { ignoreClasses: [0] })).toBeCloseTo(0.5, 12);
    expect(f1Score(predicted, target, { ignoreClasses: [0], average: 'micro' })).toBeCloseTo(0.5, 12);
    // skew: class 1 predicted everywhere → class 1: TP 2, FP 4 → 4/8; classes 0, 2: F1 0
    expect(f1Score([1, 1, 1, 1, 1, 1], target)).toBeCloseTo(0.5 / 3, 12);
    // from logits, with an ignored position
    expect(f1Score(tensor([[2, 0], [0, 2], [0, 2]]), [0, 1, -100])).toBe(1);
  });
});

describe('epoch accumulators', () => {
  it('MeanLoss weights by count; Perplexity is exp of it; state round-trips', () => {
    const loss = new MeanLoss();
    loss.update({ loss: 1, count: 1 });
    loss.update({ loss: 4, count: 3 });
    expect(loss.value()).toBe(13 / 4);
    const copy = new MeanLoss();
    copy.loadStateDict(loss.stateDict());
    expect(copy.value()).toBe(13 / 4);
    loss.reset();
    expect(loss.value()).toBeNaN();
    const ppl = new Perplexity();
    ppl.update({ loss: Math.log(3), count: 2 });
    ppl.update({ loss: Math.log(12), count: 2 });
    expect(ppl.value()).toBeCloseTo(6, 12); // exp((ln 3 + ln 12)/2) = √36
  });

  it('Accuracy and F1 accumulate over batches and need output + target', () => {
    const acc = createMetric('accuracy') as Accuracy;
    acc.update({ loss: 0, count: 1, output: tensor([[0, 1], [1, 0]]), target: [1, 1] });
    acc.update({ loss: 0, count: 1, output: tensor([[0, 1]]), target: [1] });
    expect(acc.value()).toBe(2 / 3);
    expect(() => acc.update({ loss: 0, count: 1 })).toThrow(/accuracy metric needs the step to return \{ loss, output, target \}/);
    const f1 = createMetric('f1') as F1;
    f1.update({ loss: 0, count: 1, output: tensor([[1, 0], [0, 1]]), target: [0, 1] });
    f1.update({ loss: 0, count: 1, output: tensor([[1, 0]]), target: [1] });
    // class 0: TP 1, FP 1 → 2/3; class 1: TP 1, FN 1 → 2/3
    expect(f1.value()).toBeCloseTo(2 / 3, 12);
    expect(() => createMetric('bleu' as never)).toThrow(/metric must be 'accuracy', 'perplexity', 'f1' or a Metric/);
  });
});
