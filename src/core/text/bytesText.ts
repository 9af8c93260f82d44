/**
 * Showing binary-safe Redis strings as text: keys and values are bytes, so
 * every conversion here is explicit about what happens to bytes that are not
 * UTF-8 (redis-cli's quoting rules, `sdscatrepr` in redis `src/sds.c`, for the
 * escaped form; base64 for lossless JSON).
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8', { fatal: false });

/** The bytes as a string when they are valid UTF-8, otherwise undefined. */
export function tryUtf8(bytes: Uint8Array): string | undefined {
  // ASCII fast path: most keys are plain ASCII.
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return latin1(bytes);
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The bytes decoded as UTF-8 with U+FFFD for invalid sequences (display only, lossy). */
export function lossyUtf8(bytes: Uint8Array): string {
  return utf8Lenient.decode(bytes);
}

const CHARS = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));

/** One character per byte (binary-safe, reversible; the AOF replay's map keys, so short names take a fast path). */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  if (bytes.length <= 64) {
    for (let i = 0; i < bytes.length; i++) s += CHARS[bytes[i]!]!;
    return s;
  }
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return s;
}

/** The bytes of a latin1 string, one per character (the inverse of `latin1`; ASCII text as bytes). */
export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * redis-cli style quoting (`sdscatrepr`): printable ASCII as is, `\n \r \t \a \b`
 * and `\\ \"` escaped, other bytes as `\xHH`. UTF-8 sequences are kept readable
 * when `keepUtf8` is set.
 */
export function escapeBytes(bytes: Uint8Array, keepUtf8 = true): string {
  const text = keepUtf8 ? tryUtf8(bytes) : undefined;
  if (text !== undefined) {
    let out = '';
    for (const ch of text) {
      const code = ch.codePointAt(0)!;
      if (code >= 0x80) out += ch;
      else out += escapeAscii(code);
    }
    return out;
  }
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += escapeAscii(bytes[i]!);
  return out;
}

function escapeAscii(b: number): string {
  switch (b) {
    case 0x5c:
      return '\\\\';
    case 0x22:
      return '\\"';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
  }
  if (b >= 0x20 && b < 0x7f) return String.fromCharCode(b);
  return `\\x${b.toString(16).padStart(2, '0')}`;
}

/** `"…"`-quoted escaped form, as redis-cli prints strings. */
export function quoteBytes(bytes: Uint8Array): string {
  return `"${escapeBytes(bytes)}"`;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding. */
export function base64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + '=';
  }
  return out;
}

/** Decodes standard base64 (padding optional); undefined on invalid input. */
export function fromBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/=+$/, '');
  if (/[^A-Za-z0-9+/]/.test(clean) || clean.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    acc = (acc << 6) | B64.indexOf(clean[i]!);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/**
 * Lossless JSON form of bytes: a string when the bytes are valid UTF-8,
 * otherwise `{"base64": "…"}`.
 */
export function jsonBytes(bytes: Uint8Array): string | { base64: string } {
  const s = tryUtf8(bytes);
  return s !== undefined ? s : { base64: base64(bytes) };
}

/** Hex dump form `62 69 6e`. */
export function hexBytes(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (i ? ' ' : '') + bytes[i]!.toString(16).padStart(2, '0');
  return out;
}
