/**
 * Learning-rate schedules, as torch.optim.lr_scheduler: call `step()` once per epoch (or per
 * iteration, as you choose) after `optimizer.step()`. Each schedule sets every group's lr from the
 * group's base lr in closed form, so a schedule restored from `stateDict()` continues exactly.
 */
import { checkFiniteNumber, checkInRange, checkOneOf, checkOptions, checkPositiveInt, checkNonNegativeInt, checkKnownOptions, rangeError } from '../util/check.js';

/** What a schedule needs of an optimizer: its groups' learning rates. */
export interface HasParamGroups {
  readonly paramGroups: { lr: number }[];
}

export interface SchedulerState {
  lastEpoch: number;
  baseLrs: number[];
  [extra: string]: unknown;
}

export abstract class LRScheduler {
  lastEpoch = 0;
  readonly baseLrs: number[];

  constructor(protected readonly optimizer: HasParamGroups) {
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray((optimizer as { paramGroups?: unknown }).paramGroups)) {
      throw rangeError('optimizer', 'an Optimizer', optimizer);
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of each group at epoch `epoch`. */
  protected abstract lrAt(epoch: number, baseLr: number): number;

  /** Advances one epoch and sets the groups' lr. */
  step(): void {
    this.lastEpoch += 1;
    this.apply();
  }

  protected apply(): void {
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.lrAt(this.lastEpoch, this.baseLrs[i]!)));
  }

  /** The current lr of every group. */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): SchedulerState {
    return { lastEpoch: this.lastEpoch, baseLrs: this.baseLrs.slice() };
  }

  loadStateDict(state: SchedulerState): void {
    checkNonNegativeInt('state.lastEpoch', state?.lastEpoch);
    if (!Array.isArray(state.baseLrs) || state.baseLrs.length !== this.baseLrs.length) {
      throw rangeError('state.baseLrs', `${this.baseLrs.length} learning rates`, state.baseLrs);
    }
    this.lastEpoch = state.lastEpoch;
    this.baseLrs.splice(0, this.baseLrs.length, ...state.baseLrs);
    this.apply();
  }
}

/** lr = base · gamma^⌊epoch / stepSize⌋ */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: HasParamGroups, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    const o = checkOptions('options', options);
    checkKnownOptions('options', o, ['stepSize', 'gamma']);
    this.stepSize = checkPositiveInt('options.stepSize', o.stepSize);
    this.gamma = checkFiniteNumber('options.gamma', o.gamma ?? 0.1);
  }
  protected lrAt(epoch: number, base: number): number {
    return base * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** lr = base · gamma^epoch */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: HasParamGroups, options: { gamma: number }) {
    super(optimizer);
    const o = checkOptions('options', options);
    checkKnownOptions('options', o, ['gamma']);
    this.gamma = checkFiniteNumber('options.gamma', o.gamma);
  }
  protected lrAt(epoch: number, base: number): number {
    return base * this.gamma ** epoch;
  }
}

/** lr = etaMin + (base − etaMin)·(1 + cos(π·epoch/tMax))/2 (SGDR without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: HasParamGroups, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    const o = checkOptions('options', options);
    checkKnownOptions('options', o, ['tMax', 'etaMin']);
    this.tMax = checkPositiveInt('options.tMax', o.tMax);
    this.etaMin = checkFiniteNumber('options.etaMin', o.etaMin ?? 0);
  }
  protected lrAt(epoch: number, base: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

/**
 * Linear warm-up (torch's LinearLR): the factor goes from startFactor to endFactor over totalIters
 * steps, then stays: lr = base · (start + (end − start)·min(epoch, totalIters)/totalIters).
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(optimizer: HasParamGroups, options: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super(optimizer);
    const o = checkOptions('options', options);
    checkKnownOptions('options', o, ['startFactor', 'endFactor', 'totalIters']);
    this.startFactor = checkInRange('options.startFactor', o.startFactor ?? 1 / 3, 0, 1);
    if (this.startFactor === 0) throw rangeError('options.startFactor', 'a number in (0, 1]', 0);
    this.endFactor = checkInRange('options.endFactor', o.endFactor ?? 1, 0, 1);
    this.totalIters = checkPositiveInt('options.totalIters', o.totalIters ?? 5);
    this.apply(); // epoch 0 already runs at startFactor, as in PyTorch
  }
  protected lrAt(epoch: number, base: number): number {
    const progress = Math.min(epoch, this.totalIters) / this.totalIters;
    return base * (this.startFactor + (this.endFactor - this.startFactor) * progress);
  }
}

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number;
  eps?: number;
}

/** Multiplies the lr by `factor` when the metric has not improved for `patience` epochs. */
export class ReduceLROnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;

  constructor(private readonly optimizer: HasParamGroups, options: ReduceLROnPlateauOptions = {}) {
    const o = checkOptions('options', options);
    checkKnownOptions('options', o, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    this.mode = checkOneOf('options.mode', o.mode ?? 'min', ['min', 'max']);
    this.factor = checkInRange('options.factor', o.factor ?? 0.1, 0, 1, true);
    this.patience = checkNonNegativeInt('options.patience', o.patience ?? 10);
    this.threshold = checkFiniteNumber('options.threshold', o.threshold ?? 1e-4);
    this.thresholdMode = checkOneOf('options.thresholdMode', o.thresholdMode ?? 'rel', ['rel', 'abs']);
    this.cooldown = checkNonNegativeInt('options.cooldown', o.cooldown ?? 0);
    this.minLr = checkFiniteNumber('options.minLr', o.minLr ?? 0);
    this.eps = checkFiniteNumber('options.eps', o.eps ?? 1e-8);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(value: number): boolean {
    const t = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? value < this.best * (1 - t) : value < this.best - t;
    return this.thresholdMode === 'rel' ? value > this.best * (1 + t) : value > this.best + t;
  }

  /** Records this epoch's metric (e.g. validation loss) and reduces the lr when it has plateaued. */
  step(metric: number): void {
    checkFiniteNumber('metric', metric);
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      for (const g of this.optimizer.paramGroups) {
        const reduced = Math.max(g.lr * this.factor, this.minLr);
        if (g.lr - reduced > this.eps) g.lr = reduced;
      }
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): { best: number; numBadEpochs: number; cooldownCounter: number; lastEpoch: number; lrs: number[] } {
    return { best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastEpoch: this.lastEpoch, lrs: this.getLastLr() };
  }

  loadStateDict(state: ReturnType<ReduceLROnPlateau['stateDict']>): void {
    if (!Array.isArray(state?.lrs) || state.lrs.length !== this.optimizer.paramGroups.length) {
      throw rangeError('state.lrs', `${this.optimizer.paramGroups.length} learning rates`, state?.lrs);
    }
    this.best = state.best;
    this.numBadEpochs = checkNonNegativeInt('state.numBadEpochs', state.numBadEpochs);
    this.cooldownCounter = checkNonNegativeInt('state.cooldownCounter', state.cooldownCounter);
    this.lastEpoch = checkNonNegativeInt('state.lastEpoch', state.lastEpoch);
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = state.lrs[i]!));
  }
}
