/**
 * Typed-array columns that grow: the per-key indexes (a diff's `KeyIndex`, a
 * replay's `ColdIndex`, the editor session's `KeyColumns`) keep one column per
 * field instead of an object per key.
 */

/** `a`, or a copy with room for at least `n` elements; grows by half again (a doubled column of 10M keys can be half empty). */
export function growColumn<T extends Int32Array | Uint32Array | Float64Array | Uint8Array>(a: T, n: number, minimum = 16): T {
  if (n <= a.length) return a;
  let size = Math.max(minimum, Math.ceil(a.length * 1.5));
  while (size < n) size *= 2;
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}
