/**
 * Bench driver: one case on the C++ addon (setBackend('native')), in its own process. When the addon
 * cannot be loaded it reports "unavailable" with the loader's reason instead of a number. Started by
 * bench/index.ts; the protocol is in protocol.ts and the case code in run.ts.
 */
import { runDriver } from './run.js';

runDriver('native');
