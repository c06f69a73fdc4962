/**
 * Bench driver: one case on the pure-TypeScript backend (setBackend('js')), in its own process.
 * Started by bench/index.ts; the protocol is in protocol.ts and the case code in run.ts.
 */
import { runDriver } from './run.js';

runDriver('js');
