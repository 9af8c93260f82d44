/**
 * How Redis reads numbers from command arguments (redis `src/util.c`
 * `string2ll`, `string2d`; `src/object.c` `getLongLongFromObject`,
 * `getDoubleFromObject`; all versions): integers are strict (no sign '+', no
 * leading zeros or spaces, 64-bit range), doubles are `strtod` over the whole
 * argument without leading space, refusing NaN and overflow or underflow to zero.
 */

import { latin1 as text, latin1Bytes as bytes } from '../../text/bytesText.js';

const MIN64 = -(1n << 63n);
const MAX64 = (1n << 63n) - 1n;

/** A Redis error reply: the command changed nothing (thrown by the replay handlers). */
export class ReplyError extends Error {}

/** Arguments as latin1 text (one character per byte): the replay's map keys; and back. */
export { text, bytes };

/** `string2ll`: the strict 64-bit integer Redis accepts, or undefined. */
export function parseLL(b: Uint8Array | string): bigint | undefined {
  const s = typeof b === 'string' ? b : text(b);
  if (s.length === 0 || s.length > 20) return undefined;
  if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < MIN64 || v > MAX64 ? undefined : v;
}

/** `getLongLongFromObjectOrReply`: throws Redis's error for a non-integer. */
export function intArg(b: Uint8Array | undefined, message = 'value is not an integer or out of range'): bigint {
  const v = b === undefined ? undefined : parseLL(b);
  if (v === undefined) throw new ReplyError(message);
  return v;
}

/** An integer argument as a JS number (for counts and indexes; exact up to 2^53). */
export function numArg(b: Uint8Array | undefined, message?: string): number {
  return Number(intArg(b, message));
}

/** True when a 64-bit signed result overflows. */
export function overflows(v: bigint): boolean {
  return v < MIN64 || v > MAX64;
}

function hexDouble(neg: boolean, body: string): number | undefined {
  const m = /^([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/i.exec(body);
  if (!m) return undefined;
  const int = m[1] ?? '';
  const frac = m[2] ?? '';
  if (int.length + frac.length === 0) return undefined;
  // Exact for the significands Redis users write (up to 53 bits); larger ones round once more.
  let v = 0;
  for (const c of int + frac) v = v * 16 + parseInt(c, 16);
  v *= 2 ** (Number(m[3] ?? '0') - 4 * frac.length);
  return neg ? -v : v;
}

/**
 * `string2d`: the double `strtod` reads from the whole argument; undefined
 * when Redis refuses it (empty, leading space, trailing bytes, NaN, a result
 * that overflows to ±inf or underflows to zero).
 */
export function parseDouble(b: Uint8Array | string): number | undefined {
  const s = typeof b === 'string' ? b : text(b);
  if (s.length === 0 || s.length > 5 * 1024) return undefined;
  const m = /^([+-]?)(.*)$/s.exec(s)!;
  const neg = m[1] === '-';
  const body = m[2]!;
  if (/^(inf|infinity)$/i.test(body)) return neg ? -Infinity : Infinity;
  let v: number | undefined;
  if (/^0x/i.test(body)) v = hexDouble(neg, body.slice(2));
  else if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(body)) {
    v = Number(s);
    // ERANGE: strtod overflowed to HUGE_VAL or underflowed to 0 from non-zero digits.
    if (!Number.isFinite(v)) return undefined;
    if (v === 0 && /[1-9]/.test(body.replace(/[eE].*$/, ''))) return undefined;
  }
  if (v === undefined || Number.isNaN(v)) return undefined;
  return v;
}

/** `getDoubleFromObjectOrReply`. */
export function doubleArg(b: Uint8Array | undefined, message = 'value is not a valid float'): number {
  const v = b === undefined ? undefined : parseDouble(b);
  if (v === undefined) throw new ReplyError(message);
  return v;
}

/** Case-insensitive comparison of an argument with an ASCII word. */
export function is(b: Uint8Array | undefined, word: string): boolean {
  if (!b || b.length !== word.length) return false;
  for (let i = 0; i < b.length; i++) {
    let c = b[i]!;
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    let w = word.charCodeAt(i);
    if (w >= 0x61 && w <= 0x7a) w -= 0x20;
    if (c !== w) return false;
  }
  return true;
}

/** memcmp order on latin1 strings (one character per byte, so code-unit order is byte order). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
