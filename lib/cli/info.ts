/**
 * `rnnkit info`: version, backend, SIMD level, threads, which binary was loaded, and why rnnkit runs
 * on the pure-TypeScript kernels when it does. `--json` prints systemInfo() as is, for bug reports
 * and scripts. Public API only.
 */
import { systemInfo } from '../index.js';
import { flag, helpText, parse, type Command } from './args.js';

const help = helpText('rnnkit info [--json]', `
Prints what rnnkit runs on here: its version, the backend in use (native: the C++ addon; js: the
pure-TypeScript kernels) and, when it is js, why; for the addon, the binary loaded (prebuilt or
compiled at install), the SIMD level (RNNKIT_SIMD=scalar|sse2|avx2|avx512|neon forces one), the thread count
(RNNKIT_NUM_THREADS sets it) and how it was built.

options:
  --json      print the same as JSON
  -h, --help  this text

environment: RNNKIT_BACKEND=native|js chooses the backend; RNNKIT_SIMD, RNNKIT_NUM_THREADS as above.`);

async function run(argv: string[]): Promise<number> {
  const args = parse(argv, { json: { type: 'boolean' } }, 0);
  if (flag(args, 'help')) {
    process.stdout.write(help);
    return 0;
  }
  const info = systemInfo();
  if (flag(args, 'json')) {
    process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    return 0;
  }
  const lines: [string, string][] = [];
  const native = info.native;
  if (info.backend === 'native' && native.available) {
    lines.push(['backend', 'native (the C++ addon)']);
    lines.push(['binary', `${native.binary} (${native.origin === 'prebuilt' ? 'prebuilt' : 'compiled on this machine'})`]);
    const forced = native.simdOverride === null ? '' : `, forced by RNNKIT_SIMD=${native.simdOverride}`;
    lines.push(['SIMD', `${native.isa} (usable here: ${native.isas.join(', ')}${forced})`]);
    lines.push(['threads', String(native.threads)]);
    lines.push(['build', `${native.build}, ${native.compiler}, Node-API ${native.napiVersion}`]);
  } else {
    lines.push(['backend', 'js (the pure-TypeScript kernels)']);
    const why = info.fallbackReason
      ?? (process.env.RNNKIT_BACKEND === 'js' ? 'chosen by RNNKIT_BACKEND=js' : native.available ? 'chosen with setBackend(\'js\')' : native.reason);
    lines.push(['why', why]);
    if (native.available) lines.push(['addon', `${native.binary} loads (SIMD ${native.isa}); unset RNNKIT_BACKEND to use it`]);
    lines.push(['SIMD', 'none (plain TypeScript loops)']);
    lines.push(['threads', '1']);
  }
  const width = Math.max(...lines.map(([k]) => k.length)) + 2;
  process.stdout.write(`rnnkit ${info.version} (node ${info.node}, ${info.platform})\n`);
  for (const [key, value] of lines) process.stdout.write(`${`${key}:`.padEnd(width)}${value}\n`);
  return 0;
}

export const info: Command = { name: 'info', summary: 'version, backend, SIMD level, threads; why the fallback if any', help, run };
