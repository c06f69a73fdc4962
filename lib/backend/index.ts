/**
 * Backend selection. The default is the native addon when a binary for this platform loads, else the
 * pure-TypeScript kernels, with one line on stderr saying why. `RNNKIT_BACKEND=js|native` or
 * `setBackend(name)` choose explicitly; asking for 'native' when it cannot load is an error that
 * carries the loader's reason.
 */
import type { Backend } from './backend.js';
import { JsBackend } from './js/index.js';
import { loadNativeBackend } from './native.js';
import { checkOneOf } from '../util/check.js';

export type BackendName = 'native' | 'js';

let current: Backend | null = null;
let jsBackend: Backend | null = null;
let nativeResult: { backend: Backend } | { reason: string } | null = null;
let fallbackReason: string | null = null;

function js(): Backend {
  return (jsBackend ??= new JsBackend());
}

function native(): { backend: Backend } | { reason: string } {
  return (nativeResult ??= loadNativeBackend());
}

function resolveDefault(): Backend {
  const fromEnv = process.env.RNNKIT_BACKEND;
  if (fromEnv !== undefined && fromEnv !== '') return byName(checkOneOf('RNNKIT_BACKEND', fromEnv, ['native', 'js']));
  const loaded = native();
  if ('backend' in loaded) return loaded.backend;
  fallbackReason = loaded.reason;
  process.stderr.write(`rnnkit: running on the pure-TypeScript kernels (${loaded.reason})\n`);
  return js();
}

function byName(name: BackendName): Backend {
  if (name === 'js') return js();
  const loaded = native();
  if ('backend' in loaded) return loaded.backend;
  throw new Error(`rnnkit: the native backend was requested but cannot be loaded: ${loaded.reason}`);
}

/** Chooses the backend for all later operations: 'native' (C++ addon) or 'js' (pure TypeScript). */
export function setBackend(name: BackendName): void {
  current = byName(checkOneOf('name', name, ['native', 'js']));
}

/** The backend in use, resolving the default on first call. */
export function getBackend(): Backend {
  return (current ??= resolveDefault());
}

/** Why the default resolution fell back to the js backend, or null. */
export function getFallbackReason(): string | null {
  return fallbackReason;
}

/** Whether the native addon can be loaded here (loads it once to find out). */
export function isNativeAvailable(): boolean {
  return 'backend' in native();
}

/** The native backend, or the reason it cannot be loaded here (loads it once; for systemInfo()). */
export function nativeLoadResult(): { backend: Backend } | { reason: string } {
  return native();
}
