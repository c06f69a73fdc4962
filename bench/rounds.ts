/**
 * Rounds (`npm run bench -- --rounds N`): every cell is measured N times, in N passes over the
 * drivers of a case, each pass in fresh processes and the driver order reversed on every other pass,
 * so that engines compared in one row were measured at interleaved moments. On a shared machine a
 * neighbour's burst lasts seconds to minutes; with one pass it can land on one engine's cell and not
 * on the other's, and a ratio moved by a third between two runs minutes apart. A burst now spoils one
 * round of a cell, and the median over rounds sets it aside.
 */
import { median, type DriverFailure, type DriverResult, type DriverSuccess } from './drivers/protocol.js';

/** The order drivers run in on round `round` (0-based): as given, reversed on odd rounds. */
export function roundOrder<T>(drivers: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...drivers] : [...drivers].reverse();
}

/**
 * One result for a cell from its rounds (in the order they ran): the median of the rounds' medians as
 * its time, all samples of all rounds as its samples (so the spread column shows the spread across
 * rounds too), the highest peak RSS, and the rounds' medians in `info.roundMediansMs`. A cell that
 * failed in any round reports that failure, naming the round unless every round failed alike (a
 * driver that works only sometimes is not a number).
 */
export function mergeRounds(results: readonly DriverResult[]): DriverResult {
  if (results.length === 0) throw new RangeError('mergeRounds needs at least one round, got none');
  const failure = results.find((r): r is DriverFailure => !r.ok);
  if (failure !== undefined) {
    // A cell that never runs (no GEMM cases on this engine) says so the same way every round.
    if (results.every((r) => !r.ok && r.reason === failure.reason)) return failure;
    return { ...failure, reason: `round ${results.indexOf(failure) + 1} of ${results.length}: ${failure.reason}` };
  }
  const rounds = results as readonly DriverSuccess[];
  if (rounds.length === 1) return rounds[0]!;
  const first = rounds[0]!;
  const roundMediansMs = rounds.map((r) => r.medianMs);
  return {
    ...first,
    medianMs: median(roundMediansMs),
    timesMs: rounds.flatMap((r) => r.timesMs),
    maxRssMb: Math.max(...rounds.map((r) => r.maxRssMb)),
    info: { ...first.info, rounds: rounds.length, roundMediansMs },
  };
}
