/**
 * Truncated backpropagation through time (Williams & Peng 1990; the char-rnn / PyTorch word-LM
 * pattern): a long stream is cut into consecutive batches, and each batch starts from the hidden
 * state the previous one ended with, DETACHED from the graph. The values flow on, so the model sees
 * an unbroken stream; gradients stop at the batch boundary, so memory and time per step stay bounded.
 *
 * In a hand-written loop:
 *
 *     let state: [Tensor, Tensor] | undefined;              // LSTM [h, c]; an RNN/GRU state is one Tensor
 *     for (const { x, y } of batches) {                      // x [T, B, I]; row b continues row b of the last batch
 *       const [out, next] = lstm.forward(x, state);
 *       const loss = lossOf(out, y);
 *       opt.zeroGrad(); loss.backward(); opt.step();
 *       state = detachState(next);                           // keep the values, cut the graph
 *     }
 *
 * With `fit`, store the state in `ctx.carry` and fit detaches it after every step, empties it at
 * each epoch start, and saves it in checkpoints (so a resumed stream continues where it stopped):
 *
 *     loss: (model, { x, y }, ctx) => {
 *       const [out, state] = model.lstm.forward(x, ctx.carry.state as [Tensor, Tensor] | undefined);
 *       ctx.carry.state = state;
 *       return lossOf(out, y);
 *     }
 */
import { Tensor } from '../tensor/tensor.js';
import type { NamedArray } from '../io/safetensors.js';
import { typeError } from '../util/check.js';

/** What a carry slot may hold: a state Tensor, an array of them (an LSTM's [h, c]), or nothing. */
export type CarryValue = Tensor | Tensor[] | null | undefined;
/** Named recurrent state carried across the batches of an epoch. */
export type Carry = Record<string, CarryValue>;

/** The state with every tensor detached (values shared, graph cut): a Tensor or an array of them. */
export function detachState<S extends Tensor | readonly Tensor[]>(state: S): S {
  if (state instanceof Tensor) return state.detach() as S;
  if (Array.isArray(state)) {
    return state.map((t, i) => {
      if (!(t instanceof Tensor)) throw typeError(`state[${i}]`, 'a Tensor', t);
      return t.detach();
    }) as unknown as S;
  }
  throw typeError('state', 'a Tensor or an array of Tensors', state);
}

/** Detaches every slot of `carry` in place. */
export function detachCarry(carry: Carry): void {
  for (const [name, value] of Object.entries(carry)) {
    if (value === null || value === undefined) continue;
    if (!(value instanceof Tensor) && !Array.isArray(value)) throw typeError(`ctx.carry.${name}`, 'a Tensor, an array of Tensors, or null', value);
    carry[name] = detachState(value);
  }
}

/** The carry's tensors for a checkpoint: `carry/<name>` for a Tensor, `carry/<name>/<i>` for arrays. */
export function carryToTensors(carry: Carry): Record<string, NamedArray> {
  const out: Record<string, NamedArray> = {};
  for (const [name, value] of Object.entries(carry)) {
    if (name.includes('/')) throw new RangeError(`ctx.carry names may not contain '/', got ${JSON.stringify(name)}`);
    if (value instanceof Tensor) out[`carry/${name}`] = { data: Float32Array.from(value.data), shape: value.shape.slice() };
    else if (Array.isArray(value)) value.forEach((t, i) => (out[`carry/${name}/${i}`] = { data: Float32Array.from(t.data), shape: t.shape.slice() }));
  }
  return out;
}

/** The inverse of `carryToTensors`, from a checkpoint's extra tensors. */
export function carryFromTensors(tensors: Record<string, NamedArray>): Carry {
  const carry: Carry = {};
  for (const [key, t] of Object.entries(tensors)) {
    const parts = key.split('/');
    if (parts[0] !== 'carry') continue;
    const tensor = new Tensor(t.data, t.shape);
    if (parts.length === 2) carry[parts[1]!] = tensor;
    else ((carry[parts[1]!] ??= []) as Tensor[])[Number(parts[2])] = tensor;
  }
  return carry;
}
