/** ParameterArena: one Float32Array, named views in spec order, flat gradients. */
import { describe, expect, it } from 'vitest';
import { ParameterArena } from '../../lib/nn/parameters.js';

describe('ParameterArena', () => {
  const arena = new ParameterArena([
    { name: 'weight', shape: [2, 3] },
    { name: 'bias', shape: [2] },
    { name: 'scale', shape: [] },
  ]);

  it('lays the parameters out back to back in one buffer', () => {
    expect(arena.data.length).toBe(6 + 2 + 1);
    expect(arena.offsets).toEqual([0, 6, 8]);
    expect(arena.entries.map(([n, p]) => [n, p.shape, p.requiresGrad])).toEqual([
      ['weight', [2, 3], true], ['bias', [2], true], ['scale', [], true],
    ]);
    arena.data.set([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(arena.get('bias').data)).toEqual([6, 7]);
    expect(arena.get('scale').item()).toBe(8);
    expect(() => arena.get('nope')).toThrow(/no parameter named "nope"/);
  });

  it('attachFlatGrads gives each parameter a zeroed gradient view of one buffer', () => {
    const grad = arena.attachFlatGrads();
    expect(grad.length).toBe(9);
    arena.get('bias').grad!.data[1] = 3;
    expect(grad[7]).toBe(3);
    expect(arena.ownsGrad(arena.get('weight').grad!)).toBe(true);
  });
});
