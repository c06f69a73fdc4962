/**
 * Seq2Seq: shapes and names for every attention wiring; step-by-step decoding reproduces the
 * teacher-forced logits (the state and attention carried one token at a time); padding of the source
 * changes nothing; gradcheck on tiny sizes; beam width 1 equals greedy; a beam's reported score equals
 * its log-probability recomputed by teacher forcing (so the state follows each hypothesis); greedy is
 * batch-independent; and a reversal task is learned with Adam.
 */
import { describe, expect, it } from 'vitest';
import { Adam, Seq2Seq, Tensor, logSoftmax, noGrad, sequenceCrossEntropy } from '../../../lib/index.js';
import type { Seq2SeqAttention } from '../../../lib/index.js';
import { Rng } from '../../../lib/data/rng.js';
import { gradcheck } from '../../helpers/gradcheck.js';
import { expectClose } from '../../helpers/close.js';

const KINDS: Seq2SeqAttention[] = ['none', 'dot', 'general', 'additive'];
const PAD = 0; const BOS = 1; const EOS = 2;

function model(attention: Seq2SeqAttention, extra: Partial<ConstructorParameters<typeof Seq2Seq>[0]> = {}): Seq2Seq {
  return new Seq2Seq({
    srcVocabSize: 7, tgtVocabSize: 6, embeddingDim: 3, hiddenSize: 4, bosId: BOS, eosId: EOS, paddingIdx: PAD,
    attention, bidirectional: attention !== 'dot', rng: new Rng(11), ...extra,
  });
}

/** Columns of ids (one array per batch row) → a time-major [T, B] tensor padded with PAD. */
function timeMajor(rows: number[][], T = Math.max(...rows.map((r) => r.length))): Tensor {
  const B = rows.length;
  const data = new Float32Array(T * B).fill(PAD);
  rows.forEach((row, b) => row.forEach((v, t) => (data[t * B + b] = v)));
  return new Tensor(data, [T, B]);
}

const SRC = timeMajor([[3, 4, 5, 6], [5, 3], [6, 6, 4]]);
const SRC_LENGTHS = [4, 2, 3];
const TGT_IN = timeMajor([[BOS, 3, 4], [BOS, 5, 5], [BOS, 4, 3]]);

describe('Seq2Seq', () => {
  for (const attention of KINDS) {
    describe(`attention '${attention}'`, () => {
      it('teacher-forced logits [T, B, V]; decoding step by step gives the same logits', () => {
        const m = model(attention, { numLayers: 2 });
        const logits = m.forward(SRC, TGT_IN, { srcLengths: SRC_LENGTHS });
        expect(logits.shape).toEqual([3, 3, 6]);
        const { state: s0, memory } = m.encode(SRC, SRC_LENGTHS);
        let state = s0;
        for (let t = 0; t < 3; t++) {
          const step = m.decodeStep(TGT_IN.data.slice(t * 3, t * 3 + 3), state, memory);
          expectClose(step.logits.data, logits.data.slice(t * 18, (t + 1) * 18), `step ${t}`);
          state = step.state;
        }
      });

      it('source padding changes nothing', () => {
        const m = model(attention);
        const a = m.forward(SRC, TGT_IN, { srcLengths: SRC_LENGTHS });
        const junk = timeMajor([[3, 4, 5, 6], [5, 3, 4, 4], [6, 6, 4, 5]]);
        const b = m.forward(junk, TGT_IN, { srcLengths: SRC_LENGTHS });
        expect([...b.data]).toEqual([...a.data]);
        const alone = m.forward(timeMajor([[5, 3]]), timeMajor([[BOS, 5, 5]]));
        const row1 = [0, 1, 2].flatMap((t) => [...a.data.slice((t * 3 + 1) * 6, (t * 3 + 2) * 6)]);
        expectClose(alone.data, row1, 'row 1 alone');
      });

      it('gradcheck over every parameter (tiny, with source lengths)', () => {
        const m = new Seq2Seq({
          srcVocabSize: 4, tgtVocabSize: 4, embeddingDim: 2, hiddenSize: 2, bosId: BOS, eosId: EOS, attention,
          bidirectional: attention !== 'dot', cell: 'gru', attentionDim: 2, rng: new Rng(12),
        });
        const src = timeMajor([[3, 2, 1], [2, 3]]);
        const tgtIn = timeMajor([[BOS, 3], [BOS, 2]]);
        // The additive score's weights get gradients near 1e-4 here; a wider step lifts the finite
        // differences above float32 rounding of the forward pass, but one ulp of the loss still moves
        // them by ~1e-6 (a few %, depending on the GEMM's summation order), hence the wider tolerance.
        const additive = attention === 'additive';
        gradcheck(() => m.forward(src, tgtIn, { srcLengths: [3, 2] }), m.parameters(),
          { eps: additive ? 3e-2 : undefined, tol: additive ? 3e-2 : undefined });
      });

      it('beam width 1 equals greedy; a beam score is its teacher-forced log-probability', () => {
        const m = model(attention, { cell: 'lstm', numLayers: 2 });
        const greedy = m.greedyDecode(SRC, { srcLengths: SRC_LENGTHS, maxLength: 6 });
        const beam1 = m.beamDecode(SRC, { srcLengths: SRC_LENGTHS, maxLength: 6, beamWidth: 1 });
        for (let b = 0; b < 3; b++) {
          expect(beam1[b]!.tokens).toEqual(greedy[b]!.tokens);
          expect(beam1[b]!.score).toBeCloseTo(greedy[b]!.score, 4);
        }
        const beam3 = m.beamDecode(SRC, { srcLengths: SRC_LENGTHS, maxLength: 6, beamWidth: 3 });
        for (let b = 0; b < 3; b++) {
          const h = beam3[b]!;
          const src = timeMajor([Array.from({ length: SRC_LENGTHS[b]! }, (_, t) => SRC.data[t * 3 + b]!)]);
          const targets = h.finished ? [...h.tokens, EOS] : h.tokens;
          const logProbs = noGrad(() => logSoftmax(m.eval().forward(src, timeMajor([[BOS, ...targets.slice(0, -1)]])), -1));
          const V = 6;
          const score = targets.reduce((s, y, t) => s + logProbs.data[t * V + y]!, 0);
          expect(h.score).toBeCloseTo(score, 4);
        }
      });
    });
  }

  it('greedy decoding is batch-independent (padded rows decode as if alone)', () => {
    const m = model('general');
    const batch = m.greedyDecode(SRC, { srcLengths: SRC_LENGTHS, maxLength: 5 });
    const alone = m.greedyDecode(timeMajor([[5, 3]]), { maxLength: 5 });
    expect(batch[1]!.tokens).toEqual(alone[0]!.tokens);
    expect(batch[1]!.score).toBeCloseTo(alone[0]!.score, 4);
  });

  it('names its parameters', () => {
    const names = model('additive', { bidirectional: false }).namedParameters().map(([n]) => n);
    expect(names).toEqual([
      'encoderEmbedding.weight',
      'encoder.weight_ih_l0', 'encoder.weight_hh_l0', 'encoder.bias_ih_l0', 'encoder.bias_hh_l0',
      'decoderEmbedding.weight',
      'decoder.weight_ih_l0', 'decoder.weight_hh_l0', 'decoder.bias_ih_l0', 'decoder.bias_hh_l0',
      'attention.queryLayer.weight', 'attention.keyLayer.weight', 'attention.energyLayer.weight',
      'combine.weight', 'combine.bias', 'output.weight', 'output.bias',
    ]);
  });

  it('rejects bad options and inputs', () => {
    expect(() => model('dot', { bidirectional: true })).toThrow(/attention must be 'general' or 'additive' with a bidirectional encoder/);
    expect(() => model('none', { eosId: 6 })).toThrow(/eosId must be a target token id in \[0, 5\], got 6/);
    expect(() => model('luong' as never)).toThrow(/attention must be one of "none", "dot", "general", "additive"/);
    const m = model('none');
    expect(() => m.forward(SRC, timeMajor([[BOS], [BOS]]))).toThrow(/tgtIn must be a batch of 3 rows/);
    expect(() => m.forward(SRC, TGT_IN, { srcLengths: [5, 1, 1] })).toThrow(/lengths\[0\] must be an integer in \[1, 4\]/);
    expect(() => m.beamDecode(SRC, { beamWidth: 0 })).toThrow(/beamWidth must be a positive integer, got 0/);
  });
});

describe('Seq2Seq learns to reverse short sequences', () => {
  it('loss falls clearly within 150 Adam steps and greedy decoding reverses held-out inputs', () => {
    // Symbols 3..8, lengths 2..5; target = the reversed source, then EOS.
    const rng = new Rng(2024);
    const makeBatch = (B: number): { src: Tensor; srcLengths: number[]; tgtIn: Tensor; tgtOut: Tensor; tgtLengths: number[]; rows: number[][] } => {
      const rows = Array.from({ length: B }, () => Array.from({ length: 2 + rng.int(4) }, () => 3 + rng.int(6)));
      const reversed = rows.map((r) => [...r].reverse());
      return {
        src: timeMajor(rows), srcLengths: rows.map((r) => r.length), rows,
        tgtIn: timeMajor(reversed.map((r) => [BOS, ...r])),
        tgtOut: timeMajor(reversed.map((r) => [...r, EOS])),
        tgtLengths: rows.map((r) => r.length + 1),
      };
    };
    const m = new Seq2Seq({
      srcVocabSize: 9, tgtVocabSize: 9, embeddingDim: 16, hiddenSize: 32, bosId: BOS, eosId: EOS, paddingIdx: PAD,
      attention: 'general', rng: new Rng(7),
    });
    const opt = new Adam(m.parameters(), { lr: 0.01 });
    const losses: number[] = [];
    for (let step = 0; step < 150; step++) {
      const batch = makeBatch(32);
      const logits = m.forward(batch.src, batch.tgtIn, { srcLengths: batch.srcLengths });
      const loss = sequenceCrossEntropy(logits, batch.tgtOut, { lengths: batch.tgtLengths });
      opt.zeroGrad();
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    const first = losses.slice(0, 10).reduce((a, v) => a + v, 0) / 10;
    const last = losses.slice(-10).reduce((a, v) => a + v, 0) / 10;
    expect(first).toBeGreaterThan(1.5); // ≈ ln 9 at the start
    expect(last).toBeLessThan(0.1 * first); // measured: 1.91 → 0.016

    const test = makeBatch(20);
    const decoded = m.greedyDecode(test.src, { srcLengths: test.srcLengths, maxLength: 8 });
    const exact = decoded.filter((h, b) => JSON.stringify(h.tokens) === JSON.stringify([...test.rows[b]!].reverse())).length;
    expect(exact).toBeGreaterThanOrEqual(15); // measured: 18 of 20
  });
});
