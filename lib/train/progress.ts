/**
 * Training progress for people and for machines, written to one stream (default stderr, so stdout
 * stays the program's own):
 *
 * - 'bar' (the default on a terminal): one line redrawn in place, at most every `intervalMs`
 *     epoch 2/10 [#########-----------]  120/300  41.2 steps/s  ETA 0:04  loss 0.1234  lr 1.00e-3
 * - 'lines' (the default when the stream is not a terminal: logs, CI): a plain line every
 *   `intervalMs` (default 10 s) or every `everySteps` steps, never a carriage return;
 * - 'json': the same events as one JSON object per line ({"event":"step",…} / {"event":"epoch",…});
 * - 'none': silent.
 *
 * Every mode but 'none' prints one line per finished epoch with its logged values. The rate is steps
 * per second since the epoch (or the resumed run) started; the ETA needs the epoch's length, known
 * when the data is an array, given as `stepsPerEpoch`, or learned from the first epoch. The running
 * loss is an exponential moving average (weight `smoothing`, bias-corrected as Adam's moments are).
 */
import { checkInRange, checkKnownOptions, checkNonNegativeInt, checkOneOf, checkOptions, typeError } from '../util/check.js';

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'json' | 'none';

/** The part of a writable stream the progress display uses. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Where to write (default process.stderr). */
  stream?: ProgressStream;
  /** 'auto' (default): 'bar' on a TTY, else 'lines'. */
  mode?: ProgressMode;
  /** Least time between two step outputs in ms (default: 100 for 'bar', 10000 for 'lines'/'json'). */
  intervalMs?: number;
  /** 'lines'/'json': print every this many steps instead of by time (0: by time). */
  everySteps?: number;
  /** Weight of the past in the running loss (default 0.98). */
  smoothing?: number;
  /** Clock in ms (default performance.now); tests pass their own. */
  now?: () => number;
}

export interface StepInfo {
  epoch: number; // 0-based
  epochs: number;
  stepInEpoch: number; // steps done in this epoch
  globalStep: number;
  loss: number;
  lr: number;
}

const BAR_WIDTH = 20;

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5)) return value.toExponential(2);
  return value.toFixed(4);
}

export class Progress {
  readonly mode: Exclude<ProgressMode, 'auto'>;
  private readonly stream: ProgressStream;
  private readonly intervalMs: number;
  private readonly everySteps: number;
  private readonly smoothing: number;
  private readonly now: () => number;
  private epochTotal: number | null = null;
  private epochStart = 0;
  private stepsAtStart = 0;
  private lastPrint = -Infinity;
  private average = 0;
  private averaged = 0;
  private barShown = false;

  constructor(options?: ProgressOptions) {
    const o = checkOptions('options', options);
    checkKnownOptions('progress options', o, ['stream', 'mode', 'intervalMs', 'everySteps', 'smoothing', 'now']);
    this.stream = o.stream ?? process.stderr;
    if (this.stream === null || typeof this.stream !== 'object' || typeof this.stream.write !== 'function') {
      throw typeError('stream', 'a writable stream', o.stream);
    }
    const mode = checkOneOf('mode', o.mode ?? 'auto', ['auto', 'bar', 'lines', 'json', 'none']);
    this.mode = mode === 'auto' ? (this.stream.isTTY === true ? 'bar' : 'lines') : mode;
    this.intervalMs = checkNonNegativeInt('intervalMs', o.intervalMs ?? (this.mode === 'bar' ? 100 : 10_000));
    this.everySteps = checkNonNegativeInt('everySteps', o.everySteps ?? 0);
    this.smoothing = checkInRange('smoothing', o.smoothing ?? 0.98, 0, 1, true);
    if (o.now !== undefined && typeof o.now !== 'function') throw typeError('now', 'a function returning milliseconds', o.now);
    this.now = o.now ?? (() => performance.now());
  }

  /** A new epoch of `total` steps (null: unknown), `done` of them already run (a resumed epoch). */
  startEpoch(total: number | null, done = 0): void {
    this.epochTotal = total;
    this.epochStart = this.now();
    this.stepsAtStart = done;
    this.lastPrint = -Infinity;
  }

  /** Called after every step; prints when the mode's interval has passed. */
  update(info: StepInfo): void {
    if (Number.isFinite(info.loss)) {
      this.average = this.smoothing * this.average + (1 - this.smoothing) * info.loss;
      this.averaged++;
    }
    if (this.mode === 'none') return;
    const t = this.now();
    const due = this.everySteps > 0 && this.mode !== 'bar'
      ? info.stepInEpoch % this.everySteps === 0
      : t - this.lastPrint >= this.intervalMs;
    const last = this.epochTotal !== null && info.stepInEpoch >= this.epochTotal;
    if (!due && !last) return;
    this.lastPrint = t;
    const seconds = (t - this.epochStart) / 1000;
    const rate = seconds > 0 ? (info.stepInEpoch - this.stepsAtStart) / seconds : NaN;
    const eta = this.epochTotal !== null && rate > 0 ? (this.epochTotal - info.stepInEpoch) / rate : NaN;
    const running = this.runningLoss();
    if (this.mode === 'json') {
      this.stream.write(`${JSON.stringify({
        event: 'step', epoch: info.epoch + 1, epochs: info.epochs, step: info.stepInEpoch, total: this.epochTotal,
        globalStep: info.globalStep, loss: info.loss, runningLoss: running, lr: info.lr,
        stepsPerSecond: Number.isFinite(rate) ? rate : null, etaSeconds: Number.isFinite(eta) ? eta : null,
      })}\n`);
      return;
    }
    const of = this.epochTotal === null ? `${info.stepInEpoch}` : `${info.stepInEpoch}/${this.epochTotal}`;
    const parts = [`epoch ${info.epoch + 1}/${info.epochs}`];
    if (this.mode === 'bar' && this.epochTotal !== null) {
      const filled = Math.min(BAR_WIDTH, Math.round((BAR_WIDTH * info.stepInEpoch) / Math.max(1, this.epochTotal)));
      parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`);
    }
    parts.push(this.mode === 'bar' ? of : `step ${of}`);
    parts.push(`${Number.isFinite(rate) ? rate.toFixed(1) : '?'} steps/s`);
    if (this.epochTotal !== null) parts.push(`ETA ${formatDuration(eta)}`);
    parts.push(`loss ${formatNumber(running)}`, `lr ${info.lr.toExponential(2)}`);
    const line = parts.join('  ');
    if (this.mode === 'bar') {
      const width = this.stream.columns ?? 0;
      this.stream.write(`\r\x1b[2K${width > 1 ? line.slice(0, width - 1) : line}`);
      this.barShown = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** The bias-corrected moving average of the finite step losses so far (NaN before any). */
  runningLoss(): number {
    return this.averaged === 0 ? NaN : this.average / (1 - this.smoothing ** this.averaged);
  }

  /** One line for a finished epoch: `epoch 2/10  loss 0.1234  valLoss 0.2000  (12.3 s)`. */
  endEpoch(epoch: number, epochs: number, log: Record<string, number>): void {
    if (this.mode === 'none') return;
    const seconds = (this.now() - this.epochStart) / 1000;
    if (this.mode === 'json') {
      this.stream.write(`${JSON.stringify({ event: 'epoch', ...log, epoch: epoch + 1, epochs, seconds })}\n`);
      return;
    }
    const values = Object.entries(log).filter(([k]) => k !== 'epoch').map(([k, v]) => `${k} ${formatNumber(v)}`);
    this.clearBar();
    this.stream.write(`${[`epoch ${epoch + 1}/${epochs}`, ...values].join('  ')}  (${seconds.toFixed(1)} s)\n`);
  }

  /** A message on its own line (a warning, a checkpoint saved), not torn by the bar. */
  message(text: string): void {
    if (this.mode === 'none') return;
    if (this.mode === 'json') {
      this.stream.write(`${JSON.stringify({ event: 'message', message: text })}\n`);
      return;
    }
    this.clearBar();
    this.stream.write(`${text}\n`);
  }

  /** Leaves the terminal on a fresh line. */
  close(): void {
    this.clearBar();
  }

  private clearBar(): void {
    if (this.barShown) {
      this.stream.write('\r\x1b[2K');
      this.barShown = false;
    }
  }
}
