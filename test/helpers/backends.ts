/**
 * describeEachBackend: the same test body on every backend available here ('js' always, 'native'
 * when the addon loads), after tfjs's describeMathCPUAndGPU. The body receives the backend name;
 * setBackend is called before each test.
 */
import { beforeEach, describe } from 'vitest';
import { isNativeAvailable, setBackend, type BackendName } from '../../lib/backend/index.js';

export function availableBackends(): BackendName[] {
  return isNativeAvailable() ? ['js', 'native'] : ['js'];
}

export function describeEachBackend(name: string, body: (backend: BackendName) => void): void {
  for (const backend of availableBackends()) {
    describe(`${name} [${backend}]`, () => {
      beforeEach(() => setBackend(backend));
      body(backend);
    });
  }
}
