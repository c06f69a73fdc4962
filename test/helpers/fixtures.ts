/**
 * Loads the PyTorch reference fixtures of ../shared/fixtures/torch (README there): float64 forward
 * outputs and gradients for RNN/LSTM/GRU layers. Arrays come back as Float64Array plus shape.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** ../shared beside the repository (CI puts it there); RNNKIT_SHARED overrides. */
export const SHARED_DIR = process.env.RNNKIT_SHARED ?? resolve(here, '../../../shared');
export const TORCH_FIXTURES_DIR = join(SHARED_DIR, 'fixtures', 'torch');

export interface FixtureArray {
  shape: number[];
  data: Float64Array;
}

export interface RecurrentFixture {
  name: string;
  module: {
    kind: 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';
    num_layers: number;
    bidirectional: boolean;
    num_directions: number;
    input_size: number;
    hidden_size: number;
    bias: boolean;
    batch_first: boolean;
    nonlinearity?: 'tanh' | 'relu';
  };
  sizes: { T: number; B: number; I: number; H: number; num_layers: number; num_directions: number };
  lengths: number[] | null;
  paramNames: string[];
  tensors: Record<string, FixtureArray>;
  params: Record<string, FixtureArray>;
  outputs: Record<string, FixtureArray>;
  loss: number;
  grads: Record<string, FixtureArray>;
}

function arrays(raw: Record<string, { shape: number[]; data: number[] }>): Record<string, FixtureArray> {
  const out: Record<string, FixtureArray> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = { shape: v.shape, data: Float64Array.from(v.data) };
  return out;
}

export function loadRecurrentFixture(name: string): RecurrentFixture {
  const raw = JSON.parse(readFileSync(join(TORCH_FIXTURES_DIR, `${name}.json`), 'utf8'));
  return {
    name: raw.name,
    module: raw.module,
    sizes: raw.sizes,
    lengths: raw.lengths,
    paramNames: raw.param_names,
    tensors: arrays(raw.tensors),
    params: arrays(raw.params),
    outputs: arrays(raw.outputs),
    loss: raw.loss.value,
    grads: arrays(raw.grads),
  };
}

/** Names of every recurrent fixture (from index.json's file list). */
export function recurrentFixtureNames(): string[] {
  return readdirSync(TORCH_FIXTURES_DIR)
    .filter((f) => f.endsWith('.json') && f !== 'index.json')
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

export const f32 = (a: FixtureArray): Float32Array => Float32Array.from(a.data);
