/**
 * The vocabulary of `fit` shared with callbacks: the step function's context and result, the step and
 * epoch logs, the history, and `Trainer`, the loop state callbacks see (step, epoch, model,
 * optimizer) with the few actions they may take (stop, message, save a checkpoint).
 */
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler, ReduceLROnPlateau } from '../optim/schedule.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Rng, RngState } from '../data/rng.js';
import { saveCheckpoint } from '../io/checkpoint.js';
import type { Progress } from './progress.js';
import { carryToTensors, type Carry } from './tbptt.js';


/** One epoch's batches. */
export type Batches<B> = Iterable<B> | AsyncIterable<B>;
/** Batches, or a function giving each epoch's batches. */
export type DataSource<B> = Batches<B> | ((info: { epoch: number }) => Batches<B>);

/** What the step function sees besides the model and the batch. */
export interface StepContext {
  /** 0-based epoch index. */
  epoch: number;
  /** 0-based index of this batch in the epoch. */
  batchIndex: number;
  /** Steps done before this one (global). */
  step: number;
  /** false during validation (model.eval(), no gradients). */
  training: boolean;
  /** State carried across the epoch's batches (TBPTT); fit detaches its tensors after each step. */
  carry: Carry;
}

export interface StepResult {
  /** The scalar loss to minimise. */
  loss: Tensor;
  /** Logits (classes on dim 1) for accuracy/f1. */
  output?: Tensor;
  /** Targets for accuracy/f1. */
  target?: unknown;
  /** Items the loss averages over (tokens); weights the epoch mean (default 1). */
  count?: number;
}

export type StepFunction<M extends Module, B> = (model: M, batch: B, ctx: StepContext) => Tensor | StepResult | Promise<Tensor | StepResult>;

export interface StepLog {
  epoch: number;
  batchIndex: number;
  /** Global step number, 1-based: this is the step-th step. */
  step: number;
  loss: number;
  lr: number;
  /** Gradient norm before clipping (when gradClipNorm is set). */
  gradNorm?: number;
  /** The step's update was skipped (non-finite loss or gradient with nonFinite: 'skip'). */
  skipped: boolean;
}

/** Epoch summary: epoch (0-based), loss, metrics, valLoss and val<Metric> when validating, lr, steps. */
export interface EpochLog {
  epoch: number;
  [value: string]: number;
}

export type StopReason = 'completed' | 'earlyStopping' | 'maxSteps' | 'interrupted' | 'callback';

export interface History {
  epochs: EpochLog[];
  /** { step (1-based), loss, lr } every `historyEvery` steps. */
  steps: { step: number; loss: number; lr: number }[];
  stopReason: StopReason;
  /** Why it stopped, in words, when not completed. */
  stopMessage: string | null;
  /** Optimizer steps run (skipped ones included). */
  step: number;
  skippedSteps: number;
}

/** The fit state saved in a checkpoint's `extra.fit` (see fit.ts on exact resume). */
export interface FitResumeState {
  position: { epoch: number; batch: number };
  epochStartRngs: Record<string, RngState>;
  callbacks: Record<string, unknown>;
  metrics: Record<string, unknown>;
  consecutiveSkips: number;
}

/** What callbacks get: the loop's state and the few actions they may take. */
export class Trainer {
  /** 0-based epoch in progress. */
  epoch = 0;
  /** Optimizer steps done (global). */
  step = 0;
  /** Batches done in the current epoch. */
  batchInEpoch = 0;
  stopRequested: { reason: StopReason; message: string } | null = null;
  /** @internal position and state the next checkpoint records */
  _resumeState: () => FitResumeState;
  /** @internal */
  _carry: Carry = {};

  constructor(
    readonly model: Module,
    readonly optimizer: Optimizer<{ lr: number }>,
    readonly epochs: number,
    readonly history: History,
    private readonly progress: Progress,
    private readonly rngs: Record<string, Rng>,
    private readonly extras: { config: unknown; vocab: unknown; scheduler: LRScheduler | ReduceLROnPlateau | null },
    resumeState: () => FitResumeState,
  ) {
    this._resumeState = resumeState;
  }

  /** The first parameter group's learning rate. */
  get lr(): number {
    return this.optimizer.paramGroups[0]!.lr;
  }

  /** Ends fit after the current step or epoch; `message` is printed and kept in history. */
  stopTraining(reason: StopReason = 'callback', message = `stopped by a callback after step ${this.step}`): void {
    this.stopRequested ??= { reason, message };
  }

  /** A line through the progress display. */
  message(text: string): void {
    this.progress.message(text);
  }

  /** Writes a full resumable checkpoint of the current state to `path` (atomically). */
  saveCheckpoint(path: string): void {
    const state = this._resumeState();
    saveCheckpoint(path, {
      model: this.model,
      optimizer: this.optimizer,
      scheduler: this.extras.scheduler,
      rngs: this.rngs,
      step: this.step,
      epoch: state.position.epoch,
      config: this.extras.config,
      vocab: this.extras.vocab,
      history: this.history,
      extra: { fit: state },
      tensors: carryToTensors(this._carry),
    });
  }
}
