/**
 * `npm run bench`: every selected case × every driver, each cell in a fresh process, then one table
 * (ms/iteration, tokens/s, GFLOP/s, % of this machine's SGEMM ceiling, speed relative to PyTorch,
 * peak RSS, checksum agreement) and a JSON file with every sample.
 *
 *   npm run bench                                   all cases, default drivers (below), 1 thread
 *   npm run bench -- --cases lstm-2l,sgemm --threads 1,2
 *   npm run bench -- --quick --drivers js           CI smoke: few repetitions
 *   npm run bench:setup                             once: installs the optional engines (below)
 *
 * Options: --cases <substring,...> (ids in bench/cases.ts; --list prints them), --drivers
 * native,js,torch,ort,..., --threads N[,N...], --quick, --json <path> (default
 * bench/results/latest.json), --markdown (also print a Markdown table), --timeout <seconds per cell>,
 * --rounds N (measure every cell N times, the drivers of a case interleaved: rounds.ts; default 1).
 *
 * Drivers: native, js (rnnkit's backends), torch (PyTorch through /usr/bin/python3), and the optional
 * Node engines of drivers/registry.ts (ort = onnxruntime-node, inference cases only, on the torch
 * model exported to ONNX). The optional engines are not rnnkit dependencies: `npm run bench:setup`
 * installs them into bench/optional from its own lockfile. Default --drivers: native,js,torch plus
 * every optional driver whose package is installed there; one named in --drivers but not installed
 * reports "n/a (... run npm run bench:setup)". Each optional driver adds a "vs <engine>" column: the
 * engine's time over rnnkit's time on the native and js rows (> 1: rnnkit is faster).
 *
 * The ceiling: at each thread count the runner also times SGEMM 2048³ with torch.mm and with the
 * native sgemm (whatever --drivers says) and takes the faster as 100%. A driver that cannot run
 * (no addon, no torch, torch without OpenBLAS) is reported as "n/a (reason)", never estimated. The
 * js backend is single-threaded, so it runs only at the first thread count.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES, CEILING_CASE_ID, caseById, caseFlops, quickCase, selectCases, type BenchCase } from './cases.js';
import { findRoot, isOptionalInstalled } from './drivers/optional.js';
import { RESULT_PREFIX, driverArgv, type DriverResult, type TimingPlan } from './drivers/protocol.js';
import { CORE_DRIVERS, OPTIONAL_DRIVERS, allDriverNames, optionalDriver } from './drivers/registry.js';
import { mergeRounds, roundOrder } from './rounds.js';
import { compareRows, formatMarkdown, formatText, optionalColumns, toRow, type Row } from './table.js';
import { writeFileAtomicSync } from '../lib/io/atomic.js';

/** A --drivers name: one of registry.ts's (checked when parsed). */
type DriverName = string;
const PYTHON = '/usr/bin/python3';

/** native, js, torch, and the optional engines installed in bench/optional. */
function defaultDrivers(): DriverName[] {
  return [...CORE_DRIVERS, ...OPTIONAL_DRIVERS.filter((d) => isOptionalInstalled(d.packageName)).map((d) => d.name)];
}

const FULL_PLAN: TimingPlan = { warmup: 2, targetMs: 1500, minReps: 3, maxReps: 1000, minSampleMs: 5 };
const QUICK_PLAN: TimingPlan = { warmup: 1, targetMs: 100, minReps: 2, maxReps: 20, minSampleMs: 2 };

interface Options {
  cases: BenchCase[];
  drivers: DriverName[];
  threads: number[];
  quick: boolean;
  /** Measurements of every cell, interleaved across the drivers of a case (rounds.ts). */
  rounds: number;
  jsonPath: string;
  markdown: boolean;
  timeoutSec: number;
  /**
   * OPENBLAS_CORETYPE for torch: 'auto' (unset, and OPENBLAS_L2_SIZE with it: OpenBLAS detects the CPU
   * and its cache), 'inherit', or a core name.
   */
  openblasCore: string;
  /** Also run bench/loader.ts (the data pipeline against the training step it feeds); off with --no-loader or --cases. */
  loader: boolean;
}

const here = dirname(fileURLToPath(import.meta.url)); // bench/.out/bench once compiled
const root = findRoot(here);

function usage(): string {
  return `usage: npm run bench -- [--cases a,b] [--drivers ${allDriverNames().join(',')}] [--threads 1,2] [--quick] [--json path] [--markdown] [--timeout s] [--rounds N] [--openblas-core auto|inherit|NAME] [--no-loader] [--list]`;
}

function list(value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter((v) => v !== '');
}

function parseOptions(argv: readonly string[]): Options | null {
  const options: Options = {
    cases: [...CASES], drivers: defaultDrivers(), threads: [1], quick: false, rounds: 1,
    jsonPath: join(root, 'bench', 'results', 'latest.json'), markdown: false, timeoutSec: 0, openblasCore: 'auto',
    loader: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new RangeError(`${flag} needs a value; ${usage()}`);
      return v;
    };
    if (flag === '--no-loader') {
      options.loader = false;
    } else if (flag === '--cases') {
      options.loader = false;
      const filters = list(value());
      options.cases = selectCases(filters);
      if (options.cases.length === 0) throw new RangeError(`--cases must match at least one case id (see --list), got ${filters.join(',')}`);
    } else if (flag === '--drivers') {
      const names = list(value());
      const unknown = names.filter((d) => !allDriverNames().includes(d));
      if (names.length === 0 || unknown.length > 0) throw new RangeError(`--drivers must be a list of ${allDriverNames().join(', ')}, got ${names.join(',')}`);
      options.drivers = names;
    } else if (flag === '--threads') {
      const raw = list(value());
      const counts = raw.map(Number);
      if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 1)) throw new RangeError(`--threads must be positive integers (e.g. 1,2), got ${raw.join(',')}`);
      options.threads = counts;
    } else if (flag === '--quick') {
      options.quick = true;
    } else if (flag === '--json') {
      options.jsonPath = resolve(value());
    } else if (flag === '--markdown') {
      options.markdown = true;
    } else if (flag === '--timeout') {
      const raw = value();
      options.timeoutSec = Number(raw);
      if (!(options.timeoutSec > 0)) throw new RangeError(`--timeout must be a positive number of seconds, got ${raw}`);
    } else if (flag === '--rounds') {
      const raw = value();
      options.rounds = Number(raw);
      if (!Number.isInteger(options.rounds) || options.rounds < 1) throw new RangeError(`--rounds must be a positive integer, got ${raw}`);
    } else if (flag === '--openblas-core') {
      options.openblasCore = value();
    } else if (flag === '--list') {
      for (const c of CASES) console.log(`${c.id.padEnd(22)} ${c.title}  (${(caseFlops(c) / 1e9).toPrecision(3)} GFLOP)`);
      return null;
    } else if (flag === '--help' || flag === '-h') {
      console.log(usage());
      return null;
    } else {
      throw new RangeError(`unknown option ${flag}; ${usage()}`);
    }
  }
  if (options.timeoutSec === 0) options.timeoutSec = options.quick ? 60 : 900;
  if (options.quick) options.cases = options.cases.map(quickCase);
  return options;
}

/** How to start one driver: [executable, script]. torch is Python; every other driver is a Node script. */
function driverCommand(driver: DriverName): [string, string] {
  if (driver === 'torch') return [PYTHON, join(root, 'bench', 'drivers', 'torch.py')];
  return [process.execPath, join(here, 'drivers', `${driver}.js`)];
}

/** Runs one cell in a fresh process and returns what the driver said (or why it said nothing). */
function runCell(c: BenchCase, driver: DriverName, threads: number, options: Options): DriverResult {
  const [command, script] = driverCommand(driver);
  if (driver === 'torch' && !existsSync(PYTHON)) return { ok: false, driver, reason: `${PYTHON} not found` };
  const count = String(threads);
  const env: NodeJS.ProcessEnv = {
    ...process.env, RNNKIT_NUM_THREADS: count, OMP_NUM_THREADS: count, OPENBLAS_NUM_THREADS: count, MKL_NUM_THREADS: count,
  };
  if (driver === 'torch' && options.openblasCore === 'auto') {
    // Some machines set both for an older OpenBLAS that misreads their CPU (this one: Haswell and
    // 512 KiB, on a core with AVX-512 and 1 MiB of L2); an L2 size meant for the forced core is not
    // OpenBLAS's own detection either. (torch.mm 2048³ measured the same with and without it here.)
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
  } else if (driver === 'torch' && options.openblasCore !== 'inherit') {
    env.OPENBLAS_CORETYPE = options.openblasCore;
  }
  const child = spawnSync(command, [script, ...driverArgv(c, threads, options.quick ? QUICK_PLAN : FULL_PLAN)], {
    encoding: 'utf8',
    timeout: options.timeoutSec * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    env,
  });
  const line = (child.stdout ?? '').split('\n').reverse().find((l) => l.startsWith(RESULT_PREFIX));
  if (line !== undefined) {
    try {
      return JSON.parse(line.slice(RESULT_PREFIX.length)) as DriverResult;
    } catch {
      return { ok: false, driver, reason: `unreadable result line: ${line.slice(0, 200)}` };
    }
  }
  if (child.error && (child.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    return { ok: false, driver, reason: `timed out after ${options.timeoutSec} s (--timeout)` };
  }
  if (child.error) return { ok: false, driver, reason: `could not start ${command}: ${child.error.message}` };
  const stderrTail = (child.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
  const how = child.signal ? `was killed by ${child.signal}` : `exited with code ${child.status}`;
  return { ok: false, driver, reason: `driver ${how} without a result${stderrTail ? `: ${stderrTail}` : ''}` };
}

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

function describe(result: DriverResult): string {
  if (!result.ok) return `n/a (${result.reason.split('\n')[0]})`;
  return `${result.medianMs.toPrecision(4)} ms (median of ${result.timesMs.length}${result.inner > 1 ? ` × ${result.inner}` : ''})`;
}

/** One line per driver saying what actually ran (SIMD path, BLAS kernels), from its first result. */
function driverSummary(results: readonly DriverResult[]): string[] {
  const seen = new Map<string, Record<string, unknown>>();
  for (const r of results) if (r.ok && !seen.has(r.driver)) seen.set(r.driver, r.info);
  const lines: string[] = [];
  for (const [driver, info] of seen) {
    if (driver === 'torch') {
      const config = String(info.openblasConfig ?? '').split(' ').slice(0, 2).join(' ');
      const coretype = info.openblasDetected
        ? `OPENBLAS_CORETYPE=${String(info.OPENBLAS_CORETYPE)} set by the driver: OpenBLAS detected ${String(info.openblasDetected)}`
        : info.OPENBLAS_CORETYPE ? `OPENBLAS_CORETYPE=${String(info.OPENBLAS_CORETYPE)}` : 'OPENBLAS_CORETYPE unset, detected';
      const l2 = info.OPENBLAS_L2_SIZE ? `, OPENBLAS_L2_SIZE=${String(info.OPENBLAS_L2_SIZE)}` : '';
      lines.push(`torch: PyTorch ${String(info.torch)} on ${config}, ${String(info.openblasCore)} kernels (${coretype}${l2}), python ${String(info.python)}`);
    } else if (driver === 'native') {
      const cpu = (info.cpuInfo ?? {}) as Record<string, unknown>;
      lines.push(`native: rnnkit addon, ${String(cpu.isa ?? '?')} kernels (of ${String(cpu.isas ?? '?')}), ${String(cpu.build ?? '?')} build, ${String(cpu.compiler ?? '?')}`);
    } else if (optionalDriver(driver)) {
      lines.push(`${driver}: ${String(info.summary ?? optionalDriver(driver)!.packageName)}`);
    } else {
      lines.push(`${driver}: rnnkit pure-TypeScript backend, node ${String(info.node)}`);
    }
  }
  return lines;
}

function gitCommit(): string | null {
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  return git.status === 0 ? git.stdout.trim() : null;
}

function main(): void {
  let options: Options | null;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 2;
    return;
  }
  if (options === null) return;

  const fullCeilingCase = caseById(CEILING_CASE_ID)!;
  const ceilingCase = options.quick ? quickCase(fullCeilingCase) : fullCeilingCase;
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  const rows: Row[] = [];
  const ceilings: { threads: number; gflops: number | null; source: string | null; measured: Record<string, string> }[] = [];
  const firstThreads = options.threads[0]!;
  const total = options.threads.length * options.rounds * (2 + options.cases.length * options.drivers.length);
  const roundLabel = (round: number): string => (options.rounds > 1 ? ` round ${round + 1}/${options.rounds}` : '');
  let done = 0;
  const allResults: DriverResult[] = [];

  for (const threads of options.threads) {
    // The ceiling first: the best SGEMM 2048³ of torch.mm and native at this thread count.
    const ceilingRounds = new Map<DriverName, DriverResult[]>();
    for (let round = 0; round < options.rounds; round++) {
      for (const driver of roundOrder(['torch', 'native'] as const, round)) {
        const result = runCell(ceilingCase, driver, threads, options);
        ceilingRounds.set(driver, [...(ceilingRounds.get(driver) ?? []), result]);
        allResults.push(result);
        progress(`[${++done}/${total}] threads=${threads}${roundLabel(round)} ceiling ${CEILING_CASE_ID} ${driver}: ${describe(result)}`);
      }
    }
    const ceilingResults = new Map<DriverName, DriverResult>();
    for (const [driver, results] of ceilingRounds) ceilingResults.set(driver, mergeRounds(results));
    const flops = caseFlops(ceilingCase);
    const measured: Record<string, string> = {};
    let best: { gflops: number; source: string } | null = null;
    for (const [driver, result] of ceilingResults) {
      if (!result.ok) {
        measured[driver] = `n/a (${result.reason.split('\n')[0]})`;
        continue;
      }
      const gflops = flops / (result.medianMs / 1e3) / 1e9;
      measured[driver] = gflops.toFixed(1);
      if (best === null || gflops > best.gflops) best = { gflops, source: driver };
    }
    ceilings.push({ threads, gflops: best?.gflops ?? null, source: best?.source ?? null, measured });

    for (const c of options.cases) {
      const caseRounds = new Map<DriverName, DriverResult[]>(options.drivers.map((driver) => [driver, []]));
      for (let round = 0; round < options.rounds; round++) {
        for (const driver of roundOrder(options.drivers, round)) {
          let result: DriverResult;
          if (driver === 'js' && threads !== firstThreads) {
            result = { ok: false, driver, reason: `the js backend is single-threaded: see threads=${firstThreads}` };
          } else if (c.id === CEILING_CASE_ID && ceilingResults.has(driver)) {
            result = ceilingRounds.get(driver)![round]!; // already measured in this run, same process rule
          } else {
            result = runCell(c, driver, threads, options);
            allResults.push(result);
          }
          progress(`[${++done}/${total}] threads=${threads}${roundLabel(round)} ${c.id} ${driver}: ${describe(result)}`);
          caseRounds.get(driver)!.push(result);
        }
      }
      const caseRows: Row[] = [];
      for (const driver of options.drivers) {
        caseRows.push(toRow(c, threads, driver, mergeRounds(caseRounds.get(driver)!), best?.gflops ?? null));
      }
      compareRows(caseRows);
      rows.push(...caseRows);
    }
  }

  const ceilingText = ceilings.map((ceiling) =>
    `ceiling (${ceilingCase.title}) at ${ceiling.threads} thread(s): ${ceiling.gflops === null ? 'n/a' : `${ceiling.gflops.toFixed(1)} GFLOP/s (${ceiling.source})`}` +
    `  [torch.mm ${ceiling.measured.torch}; native ${ceiling.measured.native}]`);
  const loadAtEnd = loadavg()[0]!;
  const busy = Math.max(loadAtStart, loadAtEnd) > cpus().length;
  console.log([
    `rnnkit bench (${options.quick ? 'quick' : 'full'}): ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} logical CPUs, node ${process.version}`,
    ...(options.quick ? ['QUICK RUN: shapes shrunk and few repetitions, a smoke test of every path; not comparable with a full run.'] : []),
    ...driverSummary(allResults),
    ...ceilingText,
    `load average (1 min) at start ${loadAtStart.toFixed(1)}, at end ${loadAtEnd.toFixed(1)}` +
      (busy ? ` on ${cpus().length} CPUs: OTHER WORK WAS RUNNING, numbers are noisy (multi-thread ones most)` : ''),
    options.rounds > 1
      ? `time/iter: median of ${options.rounds} rounds' medians, the drivers of a case interleaved (IQR: interquartile range of all their samples / that median); streaming rows show µs per step.`
      : 'time/iter: median of the samples (IQR: their interquartile range / median); streaming rows show µs per step.',
    '% ceiling: GFLOP/s over the ceiling at the same thread count. vs torch: PyTorch time / this time (> 1 is faster).',
    ...optionalColumns(rows).map((d) => `vs ${d.label}: ${d.packageName} (driver ${d.name}) time / this time, on rnnkit's rows (native, js).`),
    'check: results agree with the reference driver (torch) to 1e-3 (same deterministic weights and inputs).',
  ].join('\n'));
  console.log(formatText(options.cases, rows));
  if (options.markdown) console.log(`\n${formatMarkdown(options.cases, rows)}`);
  const loaderReport = options.loader ? runLoaderBench(options.quick) : null;
  if (loaderReport !== null) console.log(`\n${loaderReport}`);

  const report = {
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    date: new Date(started).toISOString(),
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    durationSec: (Date.now() - started) / 1e3,
    commit: gitCommit(),
    machine: {
      cpu: cpus()[0]?.model ?? null, logicalCpus: cpus().length, memGb: totalmem() / 2 ** 30,
      os: `${platform()} ${release()} ${arch()}`, node: process.version,
    },
    options: {
      cases: options.cases.map((c) => c.id), drivers: options.drivers, threads: options.threads, quick: options.quick,
      rounds: options.rounds, plan: options.quick ? QUICK_PLAN : FULL_PLAN, timeoutSec: options.timeoutSec,
    },
    drivers: driverSummary(allResults),
    ceilingCase,
    ceilings,
    cases: options.cases,
    rows,
    loader: loaderReport,
  };
  mkdirSync(dirname(options.jsonPath), { recursive: true });
  writeFileAtomicSync(options.jsonPath, Buffer.from(`${JSON.stringify(report, null, 2)}\n`));
  console.log(`\nwrote ${options.jsonPath} (${report.durationSec.toFixed(0)} s)`);
}

/**
 * Issue 5's bench line: batches per second of the data pipeline against training steps per second of
 * the char-LSTM it feeds (bench/loader.ts, in a fresh process like every other cell).
 */
function runLoaderBench(quick: boolean): string {
  const script = join(here, 'loader.js');
  const backend = spawnSync(process.execPath, ['-e', "import('rnnkit').then((r) => console.log(r.isNativeAvailable() ? 'native' : 'js'))"], { cwd: root, encoding: 'utf8' });
  const name = backend.stdout.trim() === 'native' ? 'native' : 'js';
  const child = spawnSync(process.execPath, [script, '--backend', name, '--steps', quick ? '1' : '5'], { cwd: root, encoding: 'utf8' });
  if (child.status !== 0) return `loader bench: n/a (${(child.stderr || child.stdout).trim().split('\n').pop()})`;
  return child.stdout.trim();
}

main();
