/**
 * `rnnkit` (lib/cli/main.ts) as a user runs it, the compiled dist/cli/main.js in a child process:
 * the command list, --help on every command, --version, and the exit codes (0 ok, 1 runtime error,
 * 2 usage error naming the bad argument).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, rnnkit, root } from '../helpers/dist.js';

const COMMANDS = ['info', 'train', 'generate', 'bench'];
let scratch = '';

beforeAll(() => {
  ensureBuilt();
  scratch = mkdtempSync(join(tmpdir(), 'rnnkit-cli-main-'));
}, 240_000); // a build of dist/ when the sources changed
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('rnnkit', () => {
  it('--help lists every command and the exit codes, exit 0', () => {
    const r = rnnkit(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: rnnkit <command>/);
    for (const name of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(r.stdout).toContain('exit codes: 0 ok, 1 runtime error, 2 usage error');
    expect(rnnkit(['-h']).stdout).toBe(r.stdout);
    expect(rnnkit(['help']).stdout).toBe(r.stdout);
  });

  it('no command: the usage on stdout and exit 2', () => {
    const r = rnnkit([]);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^usage: rnnkit <command>/);
  });

  it('--version prints package.json\'s version', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const r = rnnkit(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });

  it.each(COMMANDS)('%s --help: its usage and options, exit 0 (also as help <command> and -h)', (name) => {
    const r = rnnkit([name, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: rnnkit ${name}`));
    expect(r.stdout).toMatch(/-h, --help/);
    expect(rnnkit(['help', name]).stdout).toBe(r.stdout);
    expect(rnnkit([name, '-h']).stdout).toBe(r.stdout);
  });

  it('an unknown command: exit 2, named, with the list of commands', () => {
    const r = rnnkit(['trian']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('rnnkit: unknown command "trian"; the commands are info, train, generate, bench');
    expect(r.stdout).toBe('');
  });

  it.each([
    [['info', '--bogus'], 'rnnkit info: unknown option --bogus'],
    [['info', 'extra'], 'rnnkit info: unexpected argument "extra"'],
    [['info', '--json=yes'], 'rnnkit info: --json takes no value\n'],
    [['train', 'a.txt', '--epochs'], 'rnnkit train: --epochs needs a value'],
    [['train', 'a.txt', '--epochs', 'two'], 'rnnkit train: --epochs must be a positive integer, got "two"'],
    [['train'], 'rnnkit train: missing <text-file>'],
    [['generate'], 'rnnkit generate: missing <checkpoint-or-dir>'],
    [['bench', '--backends', 'gpu'], 'rnnkit bench: --backends must be a list of native, js, got "gpu"'],
  ])('usage error %j: exit 2, the argument named, a pointer to --help', (args, message) => {
    const r = rnnkit(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(`(rnnkit ${args[0]} --help for usage)`);
  });

  it('a runtime error (a damaged checkpoint): exit 1 with the error on stderr, no stack', () => {
    const file = join(scratch, 'damaged.safetensors');
    writeFileSync(file, 'not a safetensors file at all');
    const r = rnnkit(['generate', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^rnnkit: RangeError: .*damaged\.safetensors/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('RNNKIT_DEBUG=1 adds the stack to a runtime error', () => {
    const file = join(scratch, 'damaged2.safetensors');
    writeFileSync(file, 'garbage');
    const r = rnnkit(['generate', file], { env: { RNNKIT_DEBUG: '1' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});
