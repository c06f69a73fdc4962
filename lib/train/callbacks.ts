/**
 * Callbacks of `fit` (Keras's shape, PyTorch Lightning's names): an object with any of the hooks
 * below, called in the order given, each awaited. The built-ins:
 *
 * - `EarlyStopping`: stops when a logged value (default valLoss) has not improved for `patience` epochs;
 * - `LRSchedule`: steps an LR schedule every epoch or every step; ReduceLROnPlateau gets the monitored value;
 * - `ModelCheckpoint`: atomic numbered checkpoints every N epochs and/or steps, keeping the last N,
 *   plus one on Ctrl-C and one when fit ends early. It always runs after every other callback of the
 *   same hook, so a checkpoint holds the state those callbacks just updated and a resumed run
 *   continues exactly.
 *
 * A callback that keeps state across epochs implements `stateDict()`/`loadStateDict()` (plain JSON):
 * fit saves it in checkpoints, keyed by its position in the list and its `name`, and restores it on
 * resume. User hooks are plain objects: `{ onEpochEnd(trainer, log) { … } }`.
 */
import { mkdirSync } from 'node:fs';
import type { Trainer, EpochLog, StepLog, History } from './trainer.js';
import { checkpointPath, pruneCheckpoints } from '../io/checkpoint.js';
import { LRScheduler, ReduceLROnPlateau } from '../optim/schedule.js';
import { checkBoolean, checkFiniteNumber, checkKnownOptions, checkNonNegativeInt, checkOneOf, checkOptions, checkPositiveInt, typeError } from '../util/check.js';

type Awaitable = void | Promise<void>;

export interface Callback {
  /** Names the callback's state in checkpoints (default: its class name). */
  readonly name?: string;
  onTrainBegin?(trainer: Trainer): Awaitable;
  onEpochBegin?(trainer: Trainer): Awaitable;
  onStepEnd?(trainer: Trainer, log: StepLog): Awaitable;
  onEpochEnd?(trainer: Trainer, log: EpochLog): Awaitable;
  onTrainEnd?(trainer: Trainer, history: History): Awaitable;
  stateDict?(): unknown;
  loadStateDict?(state: unknown): void;
}

// ---- EarlyStopping -------------------------------------------------------------------------------

export interface EarlyStoppingOptions {
  /** The epoch-log value to watch (default 'valLoss'; 'loss' when fit has no validation data). */
  monitor?: string;
  /** 'min' (default) or 'max'; default 'max' for names containing accuracy or f1. */
  mode?: 'min' | 'max';
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** An improvement must beat the best by more than this (default 0). */
  minDelta?: number;
  /** On stopping, put back the weights of the best epoch (default false; not kept in checkpoints). */
  restoreBestWeights?: boolean;
}

export class EarlyStopping implements Callback {
  readonly name = 'EarlyStopping';
  private monitor: string | undefined;
  private mode: 'min' | 'max' | undefined;
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  best = NaN;
  bestEpoch = -1;
  wait = 0;
  private bestWeights: Record<string, Float32Array> | null = null;

  constructor(options?: EarlyStoppingOptions) {
    const o = checkOptions('options', options);
    checkKnownOptions('EarlyStopping options', o, ['monitor', 'mode', 'patience', 'minDelta', 'restoreBestWeights']);
    if (o.monitor !== undefined && typeof o.monitor !== 'string') throw typeError('monitor', 'a logged value name', o.monitor);
    this.monitor = o.monitor;
    this.mode = o.mode === undefined ? undefined : checkOneOf<'min' | 'max'>('mode', o.mode, ['min', 'max']);
    this.patience = checkNonNegativeInt('patience', o.patience ?? 5);
    this.minDelta = Math.abs(checkFiniteNumber('minDelta', o.minDelta ?? 0));
    this.restoreBestWeights = checkBoolean('restoreBestWeights', o.restoreBestWeights ?? false);
  }

  onEpochEnd(trainer: Trainer, log: EpochLog): void {
    const monitor = (this.monitor ??= 'valLoss' in log ? 'valLoss' : 'loss');
    const mode = (this.mode ??= /accuracy|f1/i.test(monitor) ? 'max' : 'min');
    const value = log[monitor];
    if (typeof value !== 'number') {
      throw new RangeError(`EarlyStopping monitor must be a value of the epoch log (${Object.keys(log).join(', ')}), got ${JSON.stringify(monitor)}`);
    }
    const improved = Number.isNaN(this.best)
      ? Number.isFinite(value)
      : mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
    if (improved) {
      this.best = value;
      this.bestEpoch = log.epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestWeights = trainer.model.stateDict();
      return;
    }
    this.wait++;
    if (this.wait > this.patience) {
      if (this.restoreBestWeights && this.bestWeights !== null) trainer.model.loadStateDict(this.bestWeights);
      trainer.stopTraining('earlyStopping',
        `early stopping: ${monitor} has not improved for ${this.wait} epochs (best ${this.best} after epoch ${this.bestEpoch + 1})` +
          (this.restoreBestWeights && this.bestWeights !== null ? '; restored the weights of that epoch' : ''));
    }
  }

  stateDict(): unknown {
    return { monitor: this.monitor ?? null, mode: this.mode ?? null, best: this.best, bestEpoch: this.bestEpoch, wait: this.wait };
  }

  loadStateDict(state: unknown): void {
    const s = state as { monitor: string | null; mode: 'min' | 'max' | null; best: number; bestEpoch: number; wait: number };
    this.monitor = s.monitor ?? undefined;
    this.mode = s.mode ?? undefined;
    this.best = s.best;
    this.bestEpoch = s.bestEpoch;
    this.wait = s.wait;
  }
}

// ---- LRSchedule ----------------------------------------------------------------------------------

export interface LRScheduleOptions {
  /** Step the schedule after every epoch (default) or after every optimizer step. */
  interval?: 'epoch' | 'step';
  /** ReduceLROnPlateau only: the epoch-log value it watches (default valLoss, else loss). */
  monitor?: string;
}

export class LRSchedule implements Callback {
  readonly name = 'LRSchedule';
  readonly interval: 'epoch' | 'step';
  private readonly monitor: string | undefined;

  constructor(readonly scheduler: LRScheduler | ReduceLROnPlateau, options?: LRScheduleOptions) {
    if (!(scheduler instanceof LRScheduler) && !(scheduler instanceof ReduceLROnPlateau)) {
      throw typeError('scheduler', 'an LR schedule (StepLR, CosineAnnealingLR, ReduceLROnPlateau, …)', scheduler);
    }
    const o = checkOptions('options', options);
    checkKnownOptions('LRSchedule options', o, ['interval', 'monitor']);
    this.interval = checkOneOf('interval', o.interval ?? 'epoch', ['epoch', 'step']);
    if (scheduler instanceof ReduceLROnPlateau && this.interval === 'step') {
      throw new RangeError("interval must be 'epoch' for ReduceLROnPlateau, which watches an epoch's logged value, got 'step'");
    }
    this.monitor = o.monitor;
  }

  onStepEnd(): void {
    if (this.interval === 'step' && this.scheduler instanceof LRScheduler) this.scheduler.step();
  }

  onEpochEnd(trainer: Trainer, log: EpochLog): void {
    if (this.interval !== 'epoch') return;
    if (this.scheduler instanceof LRScheduler) {
      this.scheduler.step();
      return;
    }
    const monitor = this.monitor ?? ('valLoss' in log ? 'valLoss' : 'loss');
    const value = log[monitor];
    if (typeof value !== 'number') {
      throw new RangeError(`LRSchedule monitor must be a value of the epoch log (${Object.keys(log).join(', ')}), got ${JSON.stringify(monitor)}`);
    }
    if (Number.isFinite(value)) this.scheduler.step(value);
    else trainer.message(`ReduceLROnPlateau: ${monitor} is ${value} after epoch ${log.epoch + 1}; schedule not stepped`);
  }

  stateDict(): unknown {
    return this.scheduler.stateDict();
  }

  loadStateDict(state: unknown): void {
    this.scheduler.loadStateDict(state as never);
  }
}

// ---- ModelCheckpoint -----------------------------------------------------------------------------

export interface ModelCheckpointOptions {
  /** Directory of the numbered checkpoints (created if missing). */
  dir: string;
  /** File name prefix (default 'checkpoint'): `<dir>/<prefix>-<step>.safetensors`. */
  prefix?: string;
  /** Save after every this many epochs (default 1; 0: never by epoch). */
  everyEpochs?: number;
  /** Save after every this many optimizer steps (default 0: never by step). */
  everySteps?: number;
  /** How many of the newest checkpoints to keep (default 3). */
  keepLast?: number;
  /** Save when fit stops on Ctrl-C (default true). */
  saveOnInterrupt?: boolean;
  /** Save when fit ends (all epochs, maxSteps, early stopping) unless the last step was just saved (default true). */
  saveOnEnd?: boolean;
}

export class ModelCheckpoint implements Callback {
  readonly name = 'ModelCheckpoint';
  readonly dir: string;
  readonly prefix: string;
  readonly everyEpochs: number;
  readonly everySteps: number;
  readonly keepLast: number;
  readonly saveOnInterrupt: boolean;
  readonly saveOnEnd: boolean;
  /** The global step of the last checkpoint written, or -1. */
  lastSavedStep = -1;
  /** Path of the last checkpoint written, or null. */
  lastPath: string | null = null;

  constructor(options: ModelCheckpointOptions) {
    const o = checkOptions('options', options);
    checkKnownOptions('ModelCheckpoint options', o, ['dir', 'prefix', 'everyEpochs', 'everySteps', 'keepLast', 'saveOnInterrupt', 'saveOnEnd']);
    if (typeof o.dir !== 'string' || o.dir === '') throw typeError('dir', 'a directory path', o.dir);
    this.dir = o.dir;
    this.prefix = o.prefix ?? 'checkpoint';
    checkpointPath(this.dir, 0, this.prefix); // validates the prefix
    this.everyEpochs = checkNonNegativeInt('everyEpochs', o.everyEpochs ?? 1);
    this.everySteps = checkNonNegativeInt('everySteps', o.everySteps ?? 0);
    this.keepLast = checkPositiveInt('keepLast', o.keepLast ?? 3);
    this.saveOnInterrupt = checkBoolean('saveOnInterrupt', o.saveOnInterrupt ?? true);
    this.saveOnEnd = checkBoolean('saveOnEnd', o.saveOnEnd ?? true);
  }

  /** Writes `<dir>/<prefix>-<step>.safetensors` now and prunes to the last `keepLast`; returns the path. */
  save(trainer: Trainer): string {
    mkdirSync(this.dir, { recursive: true });
    const path = checkpointPath(this.dir, trainer.step, this.prefix);
    trainer.saveCheckpoint(path);
    pruneCheckpoints(this.dir, this.keepLast, this.prefix);
    this.lastSavedStep = trainer.step;
    this.lastPath = path;
    return path;
  }

  onStepEnd(trainer: Trainer): void {
    if (this.everySteps > 0 && trainer.step % this.everySteps === 0) this.save(trainer);
  }

  onEpochEnd(trainer: Trainer, log: EpochLog): void {
    if (this.everyEpochs > 0 && (log.epoch + 1) % this.everyEpochs === 0 && this.lastSavedStep !== trainer.step) this.save(trainer);
  }

  onTrainEnd(trainer: Trainer, history: History): void {
    const wanted = history.stopReason === 'interrupted' ? this.saveOnInterrupt : this.saveOnEnd;
    if (wanted && this.lastSavedStep !== trainer.step) {
      const path = this.save(trainer);
      trainer.message(`checkpoint saved: ${path}`);
    }
  }
}
