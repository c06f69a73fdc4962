/**
 * The native backend: the C++ addon behind Node-API. Until the addon is built by the native-backend
 * work, loading reports why it is unavailable and the js backend serves.
 */
import type { Backend } from './backend.js';

export function loadNativeBackend(): { backend: Backend } | { reason: string } {
  return { reason: 'this build of rnnkit has no native addon yet' };
}
