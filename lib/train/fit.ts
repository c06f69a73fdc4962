/**
 * fit: the training loop (forward, loss, backward, non-finite guard, clip, step; validation, metrics,
 * callbacks, progress, checkpoints, Ctrl-C, exact resume), written for recurrent models.
 *
 * The user gives a STEP FUNCTION, not a (prediction, target) loss: `loss(model, batch, ctx)` runs the
 * model on one batch and returns the scalar loss Tensor, or `{ loss, output, target, count }` when
 * metrics need the logits or the mean should weight batches by their item counts. That is what
 * truncated BPTT needs: the function reads the hidden state left by the previous batch from
 * `ctx.carry` and stores the new one there; after each step fit replaces every carried tensor by
 * its `detach()`, so gradients stop at the batch boundary while the values flow on (tbptt.ts).
 * `ctx.carry` is emptied at the start of each epoch and of each validation pass, and is saved in
 * checkpoints, so a resumed stream continues with the same state.
 *
 * Data: an array or re-iterable of batches (a fresh pass each epoch), an async iterable, or a
 * function `({ epoch }) => batches` called once per epoch. Batches are opaque to fit.
 *
 * Exact resume. A checkpoint holds the weights, the optimizer, every callback's state (schedules,
 * early stopping), the epoch metrics so far, the carried tensors, the history, the states of
 * defaultRng and of `options.rngs`, and the position: epoch and batches done in it, plus the RNG
 * states at the START of that epoch. Resuming mid-epoch sets the RNGs to their epoch-start states,
 * asks for the epoch's data again, pulls (and drops) the batches already done, then sets the RNGs to
 * their saved states and continues. So an epoch shuffled up front and batches drawn as they are
 * pulled are both reproduced, and the losses equal an uninterrupted run's bit for bit (js backend),
 * provided the data draws only from defaultRng or `options.rngs` and makes each batch when pulled
 * (no read-ahead that draws random numbers). onEpochBegin is not called again for a resumed epoch.
 */
import { Module } from '../nn/module.js';
import { Optimizer } from '../optim/optimizer.js';
import { clipGradNorm, clipGradValue } from '../optim/clip.js';
import { LRScheduler, ReduceLROnPlateau } from '../optim/schedule.js';
import { Tensor } from '../tensor/tensor.js';
import { defaultRng, Rng } from '../data/rng.js';
import { latestCheckpoint, readCheckpoint, loadCheckpoint, type Checkpoint } from '../io/checkpoint.js';
import { createMetric, MeanLoss, type Metric, type MetricSpec } from './metrics.js';
import { Progress, type ProgressMode, type ProgressOptions } from './progress.js';
import { LRSchedule, ModelCheckpoint, type Callback, type ModelCheckpointOptions } from './callbacks.js';
import { carryFromTensors, detachCarry } from './tbptt.js';
import { firstNonFinite, NonFiniteError } from './guard.js';
import {
  checkBoolean, checkFiniteNumber, checkKnownOptions, checkOneOf, checkOptions, checkPositiveInt, typeError,
} from '../util/check.js';

import type { DataSource, EpochLog, FitResumeState, History, StepContext, StepFunction, StepLog } from './trainer.js';
import { Trainer } from './trainer.js';
import { checkDataSource, openEpoch, toStepOutput, validate } from './batches.js';

export { NonFiniteError } from './guard.js';
export type { Batches, DataSource, EpochLog, History, StepContext, StepFunction, StepLog, StepResult, StopReason } from './trainer.js';
export { Trainer } from './trainer.js';

export interface FitOptions<M extends Module, B> {
  data: DataSource<B>;
  epochs: number;
  optimizer: Optimizer<{ lr: number }>;
  loss: StepFunction<M, B>;
  validationData?: DataSource<B>;
  /** Step function for validation (default: loss). */
  validationLoss?: StepFunction<M, B>;
  metrics?: MetricSpec[];
  callbacks?: Callback[];
  gradClipNorm?: number;
  gradClipValue?: number;
  /** Shortcut for callbacks: [new LRSchedule(scheduler, { interval: schedulerInterval })]. */
  scheduler?: LRScheduler | ReduceLROnPlateau;
  schedulerInterval?: 'epoch' | 'step';
  /** Shortcut for callbacks: [new ModelCheckpoint(checkpoint)]. */
  checkpoint?: ModelCheckpointOptions;
  /** A checkpoint file to resume from, or true: the latest in checkpoint.dir if there is one. */
  resume?: string | boolean;
  /** Non-finite loss or gradient: 'stop' (default) throws NonFiniteError; 'skip' drops the update. */
  nonFinite?: 'stop' | 'skip';
  /** With 'skip': this many skipped steps in a row stop fit with NonFiniteError (default 20). */
  maxConsecutiveSkips?: number;
  /** Stop after this many global steps. */
  maxSteps?: number;
  /** Steps per epoch, for the progress ETA when the data is not an array. */
  stepsPerEpoch?: number;
  /** true (default, 'auto'), false, a mode, or full options. */
  progress?: boolean | ProgressMode | ProgressOptions;
  /** Generators besides defaultRng whose state checkpoints keep (a data shuffler's, say). */
  rngs?: Record<string, Rng>;
  /** Saved in checkpoints as is (opaque JSON). */
  config?: unknown;
  vocab?: unknown;
  /** Record every this many steps in history.steps (default 1; 0: none). */
  historyEvery?: number;
  /** Ctrl-C finishes the step, saves a checkpoint (ModelCheckpoint) and returns (default true). */
  handleInterrupt?: boolean;
}

const OPTION_KEYS = [
  'data', 'epochs', 'optimizer', 'loss', 'validationData', 'validationLoss', 'metrics', 'callbacks', 'gradClipNorm',
  'gradClipValue', 'scheduler', 'schedulerInterval', 'checkpoint', 'resume', 'nonFinite', 'maxConsecutiveSkips', 'maxSteps',
  'stepsPerEpoch', 'progress', 'rngs', 'config', 'vocab', 'historyEvery', 'handleInterrupt',
];

/** The fit state saved in a checkpoint's `extra.fit`. */

function checkNonNegative(name: string, value: unknown): number {
  if (checkFiniteNumber(name, value) < 0) throw new RangeError(`${name} must be a non-negative number, got ${value}`);
  return value as number;
}

function rngStates(rngs: Record<string, Rng>): Record<string, [number, number, number, number]> {
  return Object.fromEntries(Object.entries(rngs).map(([k, r]) => [k, r.getState()]));
}
function setRngStates(rngs: Record<string, Rng>, states: Record<string, [number, number, number, number]>): void {
  for (const [k, r] of Object.entries(rngs)) r.setState(states[k]!);
}

/**
 * Trains `model` and returns the history. See the file header for the step function, the data and
 * exact resume; options are documented on FitOptions.
 */
export async function fit<M extends Module, B>(model: M, options: FitOptions<M, B>): Promise<History> {
  // ---- options ----
  if (!(model instanceof Module)) throw typeError('model', 'a Module', model);
  const o = checkOptions('options', options);
  checkKnownOptions('fit options', o, OPTION_KEYS);
  checkDataSource('data', o.data);
  if (o.validationData !== undefined) checkDataSource('validationData', o.validationData);
  const epochs = checkPositiveInt('epochs', o.epochs);
  if (!(o.optimizer instanceof Optimizer)) throw typeError('optimizer', 'an Optimizer', o.optimizer);
  if (typeof o.loss !== 'function') throw typeError('loss', 'a function (model, batch, ctx) => loss', o.loss);
  const validationLoss = o.validationLoss ?? o.loss;
  if (typeof validationLoss !== 'function') throw typeError('validationLoss', 'a function (model, batch, ctx) => loss', validationLoss);
  const gradClipNorm = o.gradClipNorm === undefined ? null : checkNonNegative('gradClipNorm', o.gradClipNorm);
  const gradClipValue = o.gradClipValue === undefined ? null : checkNonNegative('gradClipValue', o.gradClipValue);
  const nonFinite = checkOneOf('nonFinite', o.nonFinite ?? 'stop', ['stop', 'skip']);
  const maxSkips = checkPositiveInt('maxConsecutiveSkips', o.maxConsecutiveSkips ?? 20);
  const maxSteps = o.maxSteps === undefined ? Infinity : checkPositiveInt('maxSteps', o.maxSteps);
  const stepsPerEpoch = o.stepsPerEpoch === undefined ? null : checkPositiveInt('stepsPerEpoch', o.stepsPerEpoch);
  const historyEvery = o.historyEvery === undefined ? 1 : Math.max(0, Math.floor(checkFiniteNumber('historyEvery', o.historyEvery)));
  const handleInterrupt = checkBoolean('handleInterrupt', o.handleInterrupt ?? true);
  const rngs: Record<string, Rng> = { default: defaultRng };
  for (const [name, rng] of Object.entries(checkOptions('rngs', o.rngs))) {
    if (!(rng instanceof Rng)) throw typeError(`rngs.${name}`, 'an Rng', rng);
    if (name === 'default' && rng !== defaultRng) throw new RangeError("rngs may not use the name 'default', which is defaultRng's");
    rngs[name] = rng;
  }
  const progressOptions: ProgressOptions = o.progress === undefined || o.progress === true ? {}
    : o.progress === false ? { mode: 'none' } : typeof o.progress === 'string' ? { mode: o.progress } : o.progress;
  const progress = new Progress(progressOptions);

  const callbacks: Callback[] = [...(o.callbacks ?? [])];
  callbacks.forEach((c, i) => {
    if (c === null || typeof c !== 'object') throw typeError(`callbacks[${i}]`, 'a callback object', c);
  });
  if (o.scheduler !== undefined) callbacks.push(new LRSchedule(o.scheduler, { interval: o.schedulerInterval ?? 'epoch' }));
  else if (o.schedulerInterval !== undefined) throw new RangeError('schedulerInterval needs a scheduler, got none');
  if (o.checkpoint !== undefined) callbacks.push(new ModelCheckpoint(o.checkpoint));
  // Checkpoints run after every other callback of a hook, so they record the state just updated.
  const ordered: Callback[] = [...callbacks.filter((c) => !(c instanceof ModelCheckpoint)), ...callbacks.filter((c) => c instanceof ModelCheckpoint)];
  const callbackKey = (c: Callback, i: number): string => `${i}:${c.name ?? c.constructor?.name ?? 'callback'}`;
  const checkpointers = ordered.filter((c): c is ModelCheckpoint => c instanceof ModelCheckpoint);
  const scheduler = (callbacks.find((c) => c instanceof LRSchedule) as LRSchedule | undefined)?.scheduler ?? null;

  const metricSpecs = o.metrics ?? [];
  if (!Array.isArray(metricSpecs)) throw typeError('metrics', 'an array of metrics', metricSpecs);
  const trainMetrics: Metric[] = [new MeanLoss('loss'), ...metricSpecs.map((m, i) => createMetric(m, `metrics[${i}]`))];
  const validationMetrics: Metric[] = [new MeanLoss('loss'), ...metricSpecs.map((m, i) => (typeof m === 'string' ? createMetric(m) : m))];

  const history: History = { epochs: [], steps: [], stopReason: 'completed', stopMessage: null, step: 0, skippedSteps: 0 };
  let epochStartRngs = rngStates(rngs);
  let consecutiveSkips = 0;
  const trainer: Trainer = new Trainer(model, o.optimizer, epochs, history, progress, rngs,
    { config: o.config ?? null, vocab: o.vocab ?? null, scheduler },
    () => ({
      position: { epoch: trainer.epoch, batch: trainer.batchInEpoch },
      epochStartRngs: trainer.batchInEpoch === 0 ? rngStates(rngs) : epochStartRngs,
      callbacks: Object.fromEntries(ordered.flatMap((c, i) => (typeof c.stateDict === 'function' ? [[callbackKey(c, i), c.stateDict()]] : []))),
      metrics: trainer.batchInEpoch === 0 ? {} : Object.fromEntries(trainMetrics.flatMap((m) => (m.stateDict ? [[m.name, m.stateDict()]] : []))),
      consecutiveSkips,
    }));

  // ---- resume ----
  let resumed: { checkpoint: Checkpoint; state: FitResumeState } | null = null;
  if (o.resume !== undefined && o.resume !== false) {
    let path: string | null;
    if (o.resume === true) {
      if (checkpointers.length === 0) throw new RangeError('resume: true needs a checkpoint directory (options.checkpoint or a ModelCheckpoint callback)');
      path = latestCheckpoint(checkpointers[0]!.dir, checkpointers[0]!.prefix);
    } else if (typeof o.resume === 'string') path = o.resume;
    else throw typeError('resume', 'a checkpoint path or true', o.resume);
    if (path !== null) {
      const checkpoint = readCheckpoint(path);
      const state = (checkpoint.extra as { fit?: FitResumeState } | null)?.fit;
      if (state === undefined) throw new RangeError(`${path} was not written by fit (no fit state); load it with loadCheckpoint() instead`);
      for (const name of Object.keys(rngs)) {
        if (state.epochStartRngs[name] === undefined) throw new RangeError(`${path} has no state for the generator ${JSON.stringify(name)} of options.rngs; pass the rngs it was saved with`);
      }
      loadCheckpoint(checkpoint, { model, optimizer: o.optimizer, rngs: {} });
      ordered.forEach((c, i) => {
        const saved = state.callbacks[callbackKey(c, i)];
        if (typeof c.loadStateDict === 'function' && saved !== undefined) c.loadStateDict(saved);
      });
      Object.assign(history, checkpoint.history as History);
      history.stopReason = 'completed';
      history.stopMessage = null;
      trainer.step = checkpoint.step;
      consecutiveSkips = state.consecutiveSkips;
      resumed = { checkpoint, state };
      progress.message(`resuming from ${path} (epoch ${state.position.epoch + 1}, step ${checkpoint.step})`);
    }
  }

  // ---- Ctrl-C ----
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) {
      // A second Ctrl-C: give the default behaviour back and quit now.
      process.removeListener('SIGINT', onSigint);
      process.kill(process.pid, 'SIGINT');
      return;
    }
    interrupted = true;
    progress.message('interrupted: finishing this step and saving a checkpoint (Ctrl-C again to quit at once)');
  };
  if (handleInterrupt) process.on('SIGINT', onSigint);

  const params = o.optimizer.paramGroups.flatMap((g) => g.params);
  const paramNames = new Map(model.namedParameters().map(([name, p]) => [p, name]));
  const nameOf = (p: Tensor): string => paramNames.get(p) ?? `optimizer parameter #${params.indexOf(p)}`;
  let epochTotal: number | null = stepsPerEpoch ?? (Array.isArray(o.data) ? o.data.length : null);
  let lastYield = performance.now();

  try {
    for (const c of ordered) await c.onTrainBegin?.(trainer);
    const startEpoch = resumed?.state.position.epoch ?? 0;
    for (let epoch = startEpoch; epoch < epochs && trainer.stopRequested === null && !interrupted && trainer.step < maxSteps; epoch++) {
      trainer.epoch = epoch;
      trainer.batchInEpoch = 0;
      const ctx: StepContext = { epoch, batchIndex: 0, step: trainer.step, training: true, carry: {} };
      trainer._carry = ctx.carry;
      for (const m of trainMetrics) m.reset();
      let next: () => Promise<IteratorResult<B>>;
      if (resumed !== null && resumed.state.position.batch > 0) {
        // Mid-epoch: replay the epoch's data from its start states up to the saved position.
        const { state, checkpoint } = resumed;
        epochStartRngs = state.epochStartRngs;
        setRngStates(rngs, epochStartRngs);
        next = openEpoch('data', o.data, epoch);
        for (let k = 0; k < state.position.batch; k++) {
          if ((await next()).done) throw new RangeError(`data gave only ${k} batches in epoch ${epoch + 1} while resuming at batch ${state.position.batch}; it must give the same batches as in the run that saved the checkpoint`);
        }
        trainer.batchInEpoch = state.position.batch;
        setRngStates(rngs, checkpoint.rngs);
        for (const m of trainMetrics) if (state.metrics[m.name] !== undefined) m.loadStateDict?.(state.metrics[m.name]);
        Object.assign(ctx.carry, carryFromTensors(checkpoint.tensors));
        resumed = null;
      } else {
        if (resumed !== null) setRngStates(rngs, resumed.checkpoint.rngs);
        resumed = null;
        epochStartRngs = rngStates(rngs);
        next = openEpoch('data', o.data, epoch);
        for (const c of ordered) await c.onEpochBegin?.(trainer);
      }
      progress.startEpoch(epochTotal, trainer.batchInEpoch);

      let exhausted = false;
      while (true) {
        const item = await next();
        if (item.done) {
          exhausted = true;
          break;
        }
        ctx.batchIndex = trainer.batchInEpoch;
        ctx.step = trainer.step;
        const stepNumber = trainer.step + 1;
        const where = `step ${stepNumber} (epoch ${epoch + 1}, batch ${trainer.batchInEpoch + 1})`;
        o.optimizer.zeroGrad();
        const out = toStepOutput('loss', await o.loss(model, item.value, ctx));
        let problem: string | null = Number.isFinite(out.loss) ? null : `the loss is ${out.loss} at ${where}`;
        let badParam: string | null = null;
        let gradNorm: number | undefined;
        if (problem === null) {
          out.lossTensor.backward();
          const bad = firstNonFinite(params);
          if (bad !== null) {
            badParam = nameOf(bad.param);
            problem = `the gradient of parameter ${JSON.stringify(badParam)} is not finite at ${where}: ${bad.value} at index ${bad.index} (${bad.count} of ${bad.param.size} values non-finite)`;
          }
        }
        let skipped = false;
        if (problem !== null) {
          consecutiveSkips++;
          if (nonFinite === 'stop' || consecutiveSkips > maxSkips) {
            const advice = nonFinite === 'stop'
              ? "lower the learning rate, clip gradients (gradClipNorm), check the data, or pass nonFinite: 'skip' to skip such steps"
              : `${consecutiveSkips} steps in a row were skipped (maxConsecutiveSkips ${maxSkips}); the model has diverged`;
            throw new NonFiniteError(`fit: ${problem}; ${advice}`, stepNumber, epoch, badParam);
          }
          o.optimizer.zeroGrad();
          skipped = true;
          history.skippedSteps++;
          progress.message(`fit: ${problem}; step skipped (nonFinite: 'skip')`);
        } else {
          consecutiveSkips = 0;
          if (gradClipNorm !== null) gradNorm = clipGradNorm(params, gradClipNorm);
          if (gradClipValue !== null) clipGradValue(params, gradClipValue);
          o.optimizer.step();
        }
        detachCarry(ctx.carry);
        trainer.step++;
        trainer.batchInEpoch++;
        history.step = trainer.step;
        if (!skipped) for (const m of trainMetrics) m.update(out);
        const lr = trainer.lr;
        if (historyEvery > 0 && trainer.step % historyEvery === 0) history.steps.push({ step: trainer.step, loss: out.loss, lr });
        progress.update({ epoch, epochs, stepInEpoch: trainer.batchInEpoch, globalStep: trainer.step, loss: out.loss, lr });
        const log: StepLog = { epoch, batchIndex: trainer.batchInEpoch - 1, step: trainer.step, loss: out.loss, lr, skipped, ...(gradNorm === undefined ? {} : { gradNorm }) };
        for (const c of ordered) await c.onStepEnd?.(trainer, log);

        // Let signal handlers and I/O run now and then.
        if (performance.now() - lastYield > 20) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        if (interrupted) trainer.stopTraining('interrupted', `interrupted by Ctrl-C after step ${trainer.step}`);
        if (trainer.step >= maxSteps) trainer.stopTraining('maxSteps', `reached maxSteps ${maxSteps}`);
        if (trainer.stopRequested !== null) break;
      }
      if (!exhausted) break;
      if (trainer.batchInEpoch === 0) {
        throw new RangeError(`data gave no batches in epoch ${epoch + 1}; a one-pass iterator (a generator object) cannot serve several epochs: pass a function ({ epoch }) => batches`);
      }
      epochTotal ??= trainer.batchInEpoch;

      // ---- epoch end: log, validation, callbacks ----
      const log: EpochLog = { epoch };
      for (const m of trainMetrics) log[m.name] = m.value();
      if (o.validationData !== undefined) {
        for (const [k, v] of Object.entries(await validate(model, o.validationData, validationLoss, validationMetrics, epoch, trainer.step))) {
          log[`val${k[0]!.toUpperCase()}${k.slice(1)}`] = v;
        }
      }
      log.lr = trainer.lr;
      log.steps = trainer.step;
      trainer.epoch = epoch + 1; // a checkpoint from here on resumes at the next epoch's start
      trainer.batchInEpoch = 0;
      trainer._carry = {};
      history.epochs.push(log);
      for (const c of ordered) await c.onEpochEnd?.(trainer, log);
      progress.endEpoch(epoch, epochs, log);
      if (interrupted) trainer.stopTraining('interrupted', `interrupted by Ctrl-C after epoch ${epoch + 1}`);
    }
    if (trainer.stopRequested !== null) {
      history.stopReason = trainer.stopRequested.reason;
      history.stopMessage = trainer.stopRequested.message;
      progress.message(trainer.stopRequested.message);
    }
    for (const c of ordered) await c.onTrainEnd?.(trainer, history);
    if (interrupted && checkpointers.length === 0) progress.message('interrupted: no checkpoint saved (fit has no checkpoint option or ModelCheckpoint callback)');
    return history;
  } finally {
    if (handleInterrupt) process.removeListener('SIGINT', onSigint);
    progress.close();
  }
}
