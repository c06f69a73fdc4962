/**
 * The bench's drivers by name: the three it always has, and the optional Node engines it compares
 * against when their packages are installed in bench/optional (`npm run bench:setup`).
 *
 * Adding an optional driver = a script bench/drivers/<name>.ts that calls runOptionalDriver
 * (optional.ts) + one line in OPTIONAL_DRIVERS below. The runner then accepts `--drivers <name>`,
 * runs it by default once its package is installed, and the table gains a "vs <label>" column (that
 * engine's time over the rnnkit row's time) wherever it ran.
 */

/** Always present: rnnkit's two backends and PyTorch (drivers/torch.py through /usr/bin/python3). */
export const CORE_DRIVERS = ['native', 'js', 'torch'] as const;

/** rnnkit's own drivers: the rows the "vs torch" and "vs <optional>" ratios are about. */
export const RNNKIT_DRIVERS: readonly string[] = ['native', 'js'];

export interface OptionalDriver {
  /** The --drivers name; the compiled script is bench/.out/bench/drivers/<name>.js. */
  name: string;
  /** The package in bench/optional/node_modules whose presence makes the driver run by default. */
  packageName: string;
  /** Column header of the ratio: "vs <label>". */
  label: string;
}

export const OPTIONAL_DRIVERS: readonly OptionalDriver[] = [
  { name: 'ort', packageName: 'onnxruntime-node', label: 'ORT' },
  { name: 'tfjs', packageName: '@tensorflow/tfjs-core', label: 'tfjs' },
];

export function optionalDriver(name: string): OptionalDriver | undefined {
  return OPTIONAL_DRIVERS.find((d) => d.name === name);
}

/** Every name --drivers accepts, core first. */
export function allDriverNames(): string[] {
  return [...CORE_DRIVERS, ...OPTIONAL_DRIVERS.map((d) => d.name)];
}
