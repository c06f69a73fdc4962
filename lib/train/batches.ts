/**
 * One epoch's batches and one pass of the step function: opening a DataSource for an epoch (arrays,
 * re-iterables, async iterables, or a function per epoch), checking what a step function returned,
 * and the validation pass (eval mode, no gradients).
 */
import type { Module } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { setGradEnabled } from '../tensor/autograd.js';
import type { Metric, StepOutput } from './metrics.js';
import { detachCarry } from './tbptt.js';
import type { DataSource, StepContext, StepFunction, StepResult } from './trainer.js';
import { checkFiniteNumber, rangeError, typeError } from '../util/check.js';


function isIterable(value: unknown): value is Iterable<unknown> {
  return value !== null && value !== undefined && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function';
}
function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value !== null && value !== undefined && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

export function checkDataSource(name: string, data: unknown): void {
  if (typeof data !== 'function' && !isIterable(data) && !isAsyncIterable(data)) {
    throw typeError(name, 'an array or iterable of batches, an async iterable, or a function ({ epoch }) => batches', data);
  }
}

/** A pull-one-batch function over one epoch of `source`. */
export function openEpoch<B>(name: string, source: DataSource<B>, epoch: number): () => Promise<IteratorResult<B>> {
  const batches = typeof source === 'function' ? source({ epoch }) : source;
  if (isAsyncIterable(batches)) {
    const it = batches[Symbol.asyncIterator]();
    return () => it.next();
  }
  if (isIterable(batches)) {
    const it = (batches as Iterable<B>)[Symbol.iterator]();
    return async () => it.next();
  }
  throw typeError(`${name}({ epoch: ${epoch} })`, 'an iterable or async iterable of batches', batches);
}

export function toStepOutput(where: string, result: unknown): StepOutput & { lossTensor: Tensor } {
  const r = result instanceof Tensor ? { loss: result } : (result as StepResult);
  if (r === null || typeof r !== 'object' || !(r.loss instanceof Tensor)) {
    throw typeError(`${where} result`, 'a scalar loss Tensor or { loss: Tensor, output?, target?, count? }', result);
  }
  if (r.loss.size !== 1) throw rangeError(`${where} result loss`, 'a one-element Tensor', r.loss);
  const count = r.count === undefined ? 1 : checkFiniteNumber(`${where} result count`, r.count);
  return { loss: r.loss.data[0]!, lossTensor: r.loss, count, output: r.output, target: r.target };
}

/** One pass over `data` in eval mode without gradients; the metrics' values by name. */
export async function validate<M extends Module, B>(
  model: M, data: DataSource<B>, step: StepFunction<M, B>, metrics: Metric[], epoch: number, globalStep: number,
): Promise<Record<string, number>> {
  const wasTraining = model.training;
  model.eval();
  // Off for the whole pass (not noGrad(fn)), so an async step function records nothing either.
  const gradWas = setGradEnabled(false);
  try {
    for (const m of metrics) m.reset();
    const next = openEpoch('validationData', data, epoch);
    const ctx: StepContext = { epoch, batchIndex: 0, step: globalStep, training: false, carry: {} };
    for (let item = await next(); !item.done; item = await next()) {
      const out = await step(model, item.value, ctx);
      const output = toStepOutput('validationLoss', out);
      for (const m of metrics) m.update(output);
      detachCarry(ctx.carry);
      ctx.batchIndex++;
    }
    return Object.fromEntries(metrics.map((m) => [m.name, m.value()]));
  } finally {
    setGradEnabled(gradWas);
    if (wasTraining) model.train();
  }
}
