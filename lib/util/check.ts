/**
 * Argument checks with one message format for the whole library:
 *
 *   RangeError: hiddenSize must be a positive integer, got -3
 *   TypeError: x must be a Tensor, got Float32Array(12)
 *
 * Every public function validates at its boundary with these helpers, so a message always names the
 * argument, what was expected and what was given (after sharp's `is.invalidParameterError` and
 * PyTorch's "Expected {}, got {}"). Nothing here does math.
 */

/** A short, readable rendering of any value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (ArrayBuffer.isView(value)) {
    return `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length ?? value.byteLength})`;
  }
  if (Array.isArray(value)) {
    const text = JSON.stringify(value);
    return text.length <= 60 ? text : `array of length ${value.length}`;
  }
  const shape = (value as { shape?: unknown }).shape;
  if (Array.isArray(shape)) return `${value.constructor?.name ?? 'object'} of shape [${shape.join(', ')}]`;
  return value.constructor?.name && value.constructor !== Object ? value.constructor.name : 'object';
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function rangeError(name: string, expected: string, got: unknown): RangeError {
  return new RangeError(`${name} must be ${expected}, got ${describe(got)}`);
}

export function typeError(name: string, expected: string, got: unknown): TypeError {
  return new TypeError(`${name} must be ${expected}, got ${describe(got)}`);
}

export function checkPositiveInt(name: string, value: unknown): number {
  if (typeof value !== 'number') throw typeError(name, 'a positive integer', value);
  if (!Number.isInteger(value) || value < 1) throw rangeError(name, 'a positive integer', value);
  return value;
}

export function checkNonNegativeInt(name: string, value: unknown): number {
  if (typeof value !== 'number') throw typeError(name, 'a non-negative integer', value);
  if (!Number.isInteger(value) || value < 0) throw rangeError(name, 'a non-negative integer', value);
  return value;
}

export function checkInteger(name: string, value: unknown): number {
  if (typeof value !== 'number') throw typeError(name, 'an integer', value);
  if (!Number.isInteger(value)) throw rangeError(name, 'an integer', value);
  return value;
}

export function checkFiniteNumber(name: string, value: unknown): number {
  if (typeof value !== 'number') throw typeError(name, 'a finite number', value);
  if (!Number.isFinite(value)) throw rangeError(name, 'a finite number', value);
  return value;
}

/** A number in [lo, hi] (or [lo, hi) with `hiExclusive`). */
export function checkInRange(name: string, value: unknown, lo: number, hi: number, hiExclusive = false): number {
  const expected = `a number in [${lo}, ${hi}${hiExclusive ? ')' : ']'}`;
  if (typeof value !== 'number') throw typeError(name, expected, value);
  if (!(value >= lo && (hiExclusive ? value < hi : value <= hi))) throw rangeError(name, expected, value);
  return value;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw typeError(name, 'a boolean', value);
  return value;
}

export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  const expected = `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;
  if (typeof value !== 'string') throw typeError(name, expected, value);
  if (!(allowed as readonly string[]).includes(value)) throw rangeError(name, expected, value);
  return value as T;
}

export function checkFloat32Array(name: string, value: unknown, length?: number): Float32Array {
  if (!(value instanceof Float32Array)) throw typeError(name, 'a Float32Array', value);
  if (length !== undefined && value.length !== length) {
    throw rangeError(name, `a Float32Array of length ${length}`, value);
  }
  return value;
}

/**
 * Rejects option keys the function does not know, so a typo (`hiddenSzie`) is an error rather than a
 * silently ignored default.
 */
export function checkKnownOptions(name: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new RangeError(
        `${name} has an unknown option ${JSON.stringify(key)}; expected some of ${known.join(', ')}`,
      );
    }
  }
}

/** An options argument: undefined becomes {}, anything but a plain object is a TypeError. */
export function checkOptions<T extends object>(name: string, value: T | undefined): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw typeError(name, 'an options object', value);
  return value;
}

/** A shape: an array of non-negative integers. */
export function checkShapeArray(name: string, value: unknown): number[] {
  if (!Array.isArray(value)) throw typeError(name, 'an array of non-negative integers', value);
  for (const d of value) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw rangeError(name, 'an array of non-negative integers', value);
    }
  }
  return value as number[];
}

/** Checks a tensor-like shape against an expected one; `-1` in `expected` matches any size. */
export function checkShape(name: string, actual: readonly number[], expected: readonly number[]): void {
  const ok = actual.length === expected.length && expected.every((d, i) => d === -1 || d === actual[i]);
  if (!ok) {
    const exp = shapeString(expected.map((d) => (d === -1 ? NaN : d))).replace(/NaN/g, '*');
    throw new RangeError(`${name} must have shape ${exp}, got ${shapeString(actual)}`);
  }
}
