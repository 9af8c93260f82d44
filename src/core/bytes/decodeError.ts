/**
 * The one exception the core throws on bad input, and only internally: every
 * public entry point catches it and turns it into a `Problem`. Carrying the
 * absolute offset at the throw site keeps messages exact without threading
 * positions through every return value.
 */

/** A decoding failure at an absolute offset. Never escapes the core's public API. */
export class DecodeError extends Error {
  constructor(
    /** Stable dotted code, e.g. `rdb.truncated`. */
    readonly code: string,
    message: string,
    /** Absolute offset of the offending byte (or of the end of data for truncation). */
    readonly offset: number,
    /** Exclusive end of the offending range, when known. */
    readonly end?: number,
    /** Where redis-check-rdb's reader would stand when it fails on the same bytes, if different. */
    readonly checkerOffset?: number,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}

/** Thrown when fewer bytes remain than a field needs. */
export function truncated(offset: number, needed: number, available: number, what: string): DecodeError {
  return new DecodeError(
    'rdb.truncated',
    `unexpected end of data reading ${what}: needed ${needed} byte${needed === 1 ? '' : 's'}, ${available} left`,
    offset + available,
    undefined,
    offset,
  );
}
