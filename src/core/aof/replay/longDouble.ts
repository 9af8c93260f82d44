/**
 * The x86-64 `long double` (80-bit extended: 64-bit significand) arithmetic of
 * INCRBYFLOAT and HINCRBYFLOAT (redis `src/t_string.c` `incrbyfloatCommand`,
 * `src/util.c` `string2ld` and `ld2string(…, LD_STR_HUMAN)`; all versions):
 * parse as `strtold` does, add with one rounding to 64 bits, print as
 * `%.17Lf` with the trailing zeros removed. Exact with BigInts; subnormal
 * results are not modelled (they are rounded as if the exponent were
 * unbounded below). Platforms whose `long double` is a 128-bit quad
 * (aarch64) or a plain double print other digits; Redis propagates both
 * commands as SET/HSET of the result, so they only matter in hand-written files.
 */

/** A finite extended value: `(-1)^neg · mant · 2^exp`, `mant` 0 or in [2^63, 2^64). */
export interface Ext {
  neg: boolean;
  mant: bigint;
  exp: number;
}

const BITS = 64;
/** 2^16384: the first power of two an 80-bit long double cannot hold. */
const MAX_EXP = 16384;
/** Below 2^-16445 even a subnormal rounds to zero. */
const MIN_EXP = -16445;

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Rounds `m · 2^e` (m ≥ 0, `sticky`: non-zero bits below m) to a 64-bit significand, half to even. */
function round(neg: boolean, m: bigint, e: number, sticky: boolean): Ext {
  if (m === 0n) return { neg, mant: 0n, exp: 0 };
  const len = bitLength(m);
  if (len > BITS) {
    const shift = BigInt(len - BITS);
    const kept = m >> shift;
    const rest = m - (kept << shift);
    const half = 1n << (shift - 1n);
    let r = kept;
    if (rest > half || (rest === half && (sticky || (kept & 1n) === 1n))) r += 1n;
    e += len - BITS;
    if (r === 1n << BigInt(BITS)) {
      r >>= 1n;
      e += 1;
    }
    return { neg, mant: r, exp: e };
  }
  // Short significands are exact: normalise to 64 bits.
  const shift = BITS - len;
  return { neg, mant: m << BigInt(shift), exp: e - shift };
}

function finite(x: Ext): boolean {
  return x.mant === 0n || x.exp + BITS <= MAX_EXP;
}

/** True for values that compare as zero (too small for even a subnormal). */
function underflows(x: Ext): boolean {
  return x.mant !== 0n && x.exp + BITS <= MIN_EXP;
}

/** A 64-bit integer (a string object stored as an integer) as a long double. */
export function extFromBigInt(v: bigint): Ext {
  const neg = v < 0n;
  return round(neg, neg ? -v : v, 0, false);
}

function fromDecimal(neg: boolean, digits: bigint, exp10: number): Ext {
  if (digits === 0n) return { neg, mant: 0n, exp: 0 };
  if (exp10 >= 0) return round(neg, digits * 10n ** BigInt(exp10), 0, false);
  const den = 10n ** BigInt(-exp10);
  // Enough quotient bits for the rounding decision: 64 + guard bits.
  const shift = Math.max(0, BITS + 3 + bitLength(den) - bitLength(digits));
  const num = digits << BigInt(shift);
  const q = num / den;
  return round(neg, q, -shift, q * den !== num);
}

function fromHex(neg: boolean, body: string): Ext | undefined {
  const m = /^([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/i.exec(body);
  if (!m) return undefined;
  const int = m[1] ?? '';
  const frac = m[2] ?? '';
  if (int.length + frac.length === 0) return undefined;
  const mant = BigInt(`0x${int}${frac}` === '0x' ? '0' : `0x${int}${frac}`);
  const exp2 = Number(m[3] ?? '0') - 4 * frac.length;
  if (!Number.isFinite(exp2) || Math.abs(exp2) > 100000) return undefined;
  return round(neg, mant, exp2, false);
}

/**
 * `string2ld`: the whole text must be a number for `strtold` (decimal, hex,
 * `inf`/`infinity`), with no leading space; NaN, overflow and underflow to
 * zero are refused. Returns undefined for what Redis refuses, and
 * `Infinity`/`-Infinity` for infinite input (INCRBYFLOAT then refuses the result).
 */
export function parseLongDouble(text: string): Ext | number | undefined {
  if (text.length === 0 || text.length >= 5 * 1024) return undefined;
  const m = /^([+-]?)(.*)$/s.exec(text)!;
  const neg = m[1] === '-';
  const body = m[2]!;
  if (/^(inf|infinity)$/i.test(body)) return neg ? -Infinity : Infinity;
  let x: Ext | undefined;
  if (/^0x/i.test(body)) x = fromHex(neg, body.slice(2));
  else {
    const d = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(body);
    if (!d) return undefined;
    const int = d[1] ?? '';
    const frac = d[2] ?? '';
    if (int.length + frac.length === 0) return undefined;
    const e = Number(d[3] ?? '0');
    const digits = BigInt(`${int}${frac}` || '0');
    if (digits !== 0n) {
      // Far outside the range (about 1.19e4932 to 3.6e-4951): refuse before building huge numbers.
      const magnitude = digits.toString().length + e - frac.length;
      if (magnitude > 4940 || magnitude < -4960) return undefined;
    }
    x = fromDecimal(neg, digits, e - frac.length);
  }
  if (!x || !finite(x) || underflows(x)) return undefined;
  return x;
}

/** a + b with one rounding; undefined when the sum is not finite. */
export function addExt(a: Ext, b: Ext): Ext | undefined {
  if (a.mant === 0n && b.mant === 0n) return { neg: a.neg && b.neg, mant: 0n, exp: 0 };
  if (a.mant === 0n) return b;
  if (b.mant === 0n) return a;
  const [hi, lo] = a.exp >= b.exp ? [a, b] : [b, a];
  const gap = hi.exp - lo.exp;
  if (gap > 2 * BITS + 4) {
    // lo is below a quarter of hi's last bit: the sum rounds back to hi.
    return hi;
  }
  const hm = (hi.neg ? -hi.mant : hi.mant) << BigInt(gap);
  const lm = lo.neg ? -lo.mant : lo.mant;
  const sum = hm + lm;
  if (sum === 0n) return { neg: false, mant: 0n, exp: 0 };
  const r = round(sum < 0n, sum < 0n ? -sum : sum, lo.exp, false);
  return finite(r) ? r : undefined;
}

/**
 * `ld2string(LD_STR_HUMAN)`: `%.17Lf` (exact value rounded half to even at the
 * 17th decimal, as glibc prints), trailing zeros and a trailing '.' removed,
 * "-0" printed as "0".
 */
export function formatHuman(x: Ext): string {
  const scale = 10n ** 17n;
  let q: bigint;
  if (x.exp >= 0) q = (x.mant << BigInt(x.exp)) * scale;
  else {
    const num = x.mant * scale;
    const sh = BigInt(-x.exp);
    q = num >> sh;
    const rem = num - (q << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  }
  const int = q / scale;
  const frac = (q % scale).toString().padStart(17, '0').replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : `${int}`;
  if (body === '0') return '0';
  return x.neg ? `-${body}` : body;
}
