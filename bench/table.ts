/**
 * Turns measured cells into the numbers the bench reports (ms/iteration, tokens/s, GFLOP/s, % of the
 * SGEMM ceiling, speed relative to PyTorch and to each optional engine that ran, checksum agreement) and prints them as an aligned text
 * table or a Markdown table. No measuring here: bench/index.ts runs the drivers.
 */
import { caseFlops, caseTokens, type BenchCase } from './cases.js';
import type { DriverResult } from './drivers/protocol.js';
import { OPTIONAL_DRIVERS, RNNKIT_DRIVERS, type OptionalDriver } from './drivers/registry.js';

/** One (case, threads, driver) cell as measured, plus what is derived from it. */
export interface Row {
  caseId: string;
  threads: number;
  driver: string;
  ok: boolean;
  /** Why there is no number ("n/a (reason)"), when !ok. */
  reason: string | null;
  medianMs: number | null;
  timesMs: number[];
  /** Interquartile range / median of the samples, in %: how noisy this cell was (null below 4 samples). */
  spreadPct: number | null;
  /** µs per step for streaming cases, else null. */
  usPerStep: number | null;
  tokensPerSec: number | null;
  gflops: number | null;
  /** GFLOP/s as a percentage of this run's SGEMM ceiling at the same thread count. */
  pctCeiling: number | null;
  /** PyTorch's time / this driver's time (> 1: faster than PyTorch); null without a torch number. */
  speedVsTorch: number | null;
  /** Per optional driver that ran (registry.ts name): its time / this time, on rnnkit's rows only. */
  speedVs: Record<string, number>;
  maxRssMb: number | null;
  baseRssMb: number | null;
  /** 'ok', 'ref' (the reference), 'MISMATCH …', or '' when there is nothing to compare with. */
  check: string;
  checksum: Record<string, number> | null;
  info: Record<string, unknown> | null;
}

/** Relative tolerance on checksums: float32 summation order differs between drivers. */
const CHECKSUM_RTOL = 1e-3;

/** p75 − p25 (linear interpolation between order statistics). */
function interquartileRange(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => {
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (pos - lo);
  };
  return at(0.75) - at(0.25);
}

/** Derives a row from a driver's result; ratios and checks are filled in by compareRows. */
export function toRow(c: BenchCase, threads: number, driver: string, result: DriverResult, ceilingGflops: number | null): Row {
  if (!result.ok) {
    return {
      caseId: c.id, threads, driver, ok: false, reason: result.reason, medianMs: null, timesMs: [], spreadPct: null, usPerStep: null,
      tokensPerSec: null, gflops: null, pctCeiling: null, speedVsTorch: null, speedVs: {}, maxRssMb: null, baseRssMb: null,
      check: '', checksum: null, info: null,
    };
  }
  const seconds = result.medianMs / 1e3;
  const tokens = caseTokens(c);
  const gflops = caseFlops(c) / seconds / 1e9;
  return {
    caseId: c.id, threads, driver, ok: true, reason: null, medianMs: result.medianMs, timesMs: result.timesMs,
    spreadPct: result.timesMs.length < 4 ? null : (100 * interquartileRange(result.timesMs)) / result.medianMs,
    usPerStep: c.kind === 'stream' ? (result.medianMs * 1e3) / c.steps : null,
    tokensPerSec: tokens === null ? null : tokens / seconds,
    gflops, pctCeiling: ceilingGflops === null ? null : (100 * gflops) / ceilingGflops,
    speedVsTorch: null, speedVs: {}, maxRssMb: result.maxRssMb, baseRssMb: result.baseRssMb, check: '',
    checksum: result.checksum, info: result.info,
  };
}

/**
 * Fills speedVsTorch, speedVs and check for the rows of one (case, threads): the reference is torch
 * when it ran, else the first driver that did.
 */
export function compareRows(rows: Row[]): void {
  const done = rows.filter((r) => r.ok);
  const torch = done.find((r) => r.driver === 'torch');
  const reference = torch ?? done[0];
  const engines = OPTIONAL_DRIVERS.map((d) => done.find((r) => r.driver === d.name)).filter((r): r is Row => r !== undefined);
  for (const row of done) {
    if (torch && row !== torch && row.medianMs) row.speedVsTorch = torch.medianMs! / row.medianMs;
    if (RNNKIT_DRIVERS.includes(row.driver) && row.medianMs) {
      for (const engine of engines) row.speedVs[engine.driver] = engine.medianMs! / row.medianMs;
    }
    if (!reference || done.length < 2) continue;
    if (row === reference) {
      row.check = 'ref';
      continue;
    }
    const off = Object.entries(reference.checksum ?? {}).filter(([key, expected]) => {
      const got = row.checksum?.[key];
      return got === undefined || !(Math.abs(got - expected) <= CHECKSUM_RTOL * Math.max(Math.abs(expected), 1e-30));
    });
    row.check = off.length === 0 ? 'ok' : `MISMATCH ${off.map(([key, expected]) => `${key} ${row.checksum?.[key]} vs ${expected}`).join('; ')}`;
  }
}

function fixed(value: number | null, digits: number): string {
  return value === null ? '–' : value.toFixed(digits);
}

/** 3 significant figures, thousands as k/M for rates. */
function compact(value: number | null): string {
  if (value === null) return '–';
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (value >= 1e3) return `${(value / 1e3).toPrecision(3)}k`;
  return value.toPrecision(3);
}

function timeCell(row: Row): string {
  if (!row.ok) return `n/a (${row.reason})`;
  if (row.usPerStep !== null) return `${row.usPerStep.toFixed(1)} µs/step`;
  return row.medianMs! >= 100 ? `${row.medianMs!.toFixed(0)} ms` : `${row.medianMs!.toPrecision(3)} ms`;
}

/** The optional engines that ran in any of these rows: each gets a "vs <label>" column. */
export function optionalColumns(rows: readonly Row[]): OptionalDriver[] {
  return OPTIONAL_DRIVERS.filter((d) => rows.some((r) => r.ok && r.driver === d.name));
}

function headers(engines: readonly OptionalDriver[]): string[] {
  return ['threads', 'driver', 'time/iter', 'IQR', 'tokens/s', 'GFLOP/s', '% ceiling', 'vs torch', ...engines.map((d) => `vs ${d.label}`), 'peak RSS MB', 'check'];
}

function ratio(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${value.toFixed(2)}×`;
}

function cells(row: Row, engines: readonly OptionalDriver[]): string[] {
  if (!row.ok) return [String(row.threads), row.driver, timeCell(row), ...headers(engines).slice(3).map(() => '')];
  return [
    String(row.threads), row.driver, timeCell(row), row.spreadPct === null ? '–' : `${row.spreadPct.toFixed(0)}%`, compact(row.tokensPerSec), fixed(row.gflops, 1),
    row.pctCeiling === null ? '–' : `${row.pctCeiling.toFixed(0)}%`,
    ratio(row.speedVsTorch), ...engines.map((d) => ratio(row.speedVs[d.name])), fixed(row.maxRssMb, 0), row.check,
  ];
}

/** Shortens long failure reasons so the table stays readable (the JSON keeps them whole). */
function clip(text: string, width: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length <= width ? oneLine : `${oneLine.slice(0, width - 1)}…`;
}

/** The aligned text table: one block per case, one line per (threads, driver). */
export function formatText(cases: readonly BenchCase[], rows: readonly Row[]): string {
  const engines = optionalColumns(rows);
  const header = headers(engines);
  const lines: string[] = [];
  for (const c of cases) {
    const caseRows = rows.filter((r) => r.caseId === c.id);
    if (caseRows.length === 0) continue;
    const all = caseRows.map((r) => cells(r, engines));
    // Columns are as wide as the header and the measured rows; a failure's reason runs on past them.
    const measured = [header, ...caseRows.filter((r) => r.ok).map((r) => cells(r, engines))];
    const widths = header.map((_, i) => Math.max(...(i < 2 ? [header, ...all] : measured).map((line) => line[i]!.length)));
    const pad = (line: string[]): string =>
      line.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : i === line.length - 1 ? cell : cell.padStart(widths[i]!))).join('  ').trimEnd();
    lines.push('', `${c.title}  [${c.id}]`, pad(header));
    caseRows.forEach((row, k) => {
      const line = all[k]!;
      lines.push(row.ok ? pad(line) : `${line[0]!.padEnd(widths[0]!)}  ${line[1]!.padEnd(widths[1]!)}  ${clip(line[2]!, 120)}`);
    });
  }
  return lines.join('\n');
}

/** The same rows as one Markdown table (for the README). */
export function formatMarkdown(cases: readonly BenchCase[], rows: readonly Row[]): string {
  const engines = optionalColumns(rows);
  const header = headers(engines);
  const lines = [`| case | ${header.join(' | ')} |`, `|${'---|'.repeat(header.length + 1)}`];
  for (const c of cases) {
    for (const row of rows.filter((r) => r.caseId === c.id)) {
      const rowCells = cells(row, engines).map((cell) => cell.replace(/\|/g, '\\|'));
      if (!row.ok) rowCells[2] = clip(rowCells[2]!, 80);
      lines.push(`| ${c.id} | ${rowCells.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}
