/**
 * The CommonJS entry of rnnkit: what `require('rnnkit')` loads (package.json exports, "require").
 *
 * The library is written as ES modules (dist/). Where Node's require() can load an ES module (Node
 * >= 20.19 and >= 22.12, unless started with --no-experimental-require-module), this entry returns
 * THAT module: `require('rnnkit')` and `import('rnnkit')` are then one instance, with one backend
 * choice, one defaultRng, one grad mode, and a Tensor made by either passes `instanceof Tensor` in
 * the other. On older Node it loads the CommonJS copy built beside this file (dist/cjs/index.js, same
 * API). That copy is a second instance: a program that both imports and requires rnnkit there gets
 * two module states (the dual-package hazard), so setBackend(), manualSeed() and noGrad() apply to
 * one of them only and Tensors do not cross between them. Use one module system per program on
 * such Node versions.
 */
function load(): Rnnkit {
  try {
    return require('../index.js') as Rnnkit; // dist/index.js, the ES module
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    // This Node cannot require() an ES module (or the graph has top-level await): the CommonJS copy.
    if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE') throw err;
    return require('./index.js') as Rnnkit; // dist/cjs/index.js
  }
}

type Rnnkit = typeof import('./index.js');

export = load();
