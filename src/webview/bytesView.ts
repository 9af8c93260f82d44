/**
 * Renders a `BytesView` (base64 + length) as text in one of the display modes.
 * Decoding is lazy (only rows being drawn call this) and cached per view object,
 * so a page of rows is decoded at most once per mode; dropping a page frees it.
 * The result is plain text: callers put it into the DOM with `textContent` only.
 */

import type { BytesView, DisplayMode } from '../protocol/editor.js';
import { escapeBytes, fromBase64, hexBytes, lossyUtf8, tryUtf8 } from '../core/text/bytesText.js';

/** At most this many bytes are rendered into a single-line row (the row is cut visually anyway). */
export const ROW_BYTES = 1024;

interface Decoded {
  bytes: Uint8Array;
  out: Map<string, Rendered>;
}

export interface Rendered {
  text: string;
  /** The host sent only the first bytes (`BytesView.truncated`). */
  truncated: boolean;
  /** The rendering stopped before the end of what was sent (`ROW_BYTES`). */
  cut: boolean;
  /** JSON mode and the bytes parsed as JSON. */
  json: boolean;
}

const cache = new WeakMap<BytesView, Decoded>();
const EMPTY = new Uint8Array(0);

/** The decoded bytes of a view (cached). */
export function viewBytes(v: BytesView): Uint8Array {
  let d = cache.get(v);
  if (!d) {
    d = { bytes: fromBase64(v.b64) ?? EMPTY, out: new Map() };
    cache.set(v, d);
  }
  return d.bytes;
}

/** Control characters as visible symbols (U+2400 block) so a value stays on one line. */
function visibleControls(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\x7f' ? '\u2421' : String.fromCharCode(0x2400 + c.charCodeAt(0))));
}

function render(bytes: Uint8Array, mode: DisplayMode, singleLine: boolean): { text: string; json: boolean } {
  switch (mode) {
    case 'hex':
      return { text: hexBytes(bytes), json: false };
    case 'escaped':
      return { text: `"${escapeBytes(bytes)}"`, json: false };
    case 'json': {
      const s = tryUtf8(bytes);
      if (s !== undefined) {
        const t = s.trimStart();
        if (t.startsWith('{') || t.startsWith('[')) {
          try {
            const parsed: unknown = JSON.parse(s);
            return { text: singleLine ? JSON.stringify(parsed) : JSON.stringify(parsed, null, 2), json: true };
          } catch {
            /* not JSON: text below */
          }
        }
      }
      return render(bytes, 'text', singleLine);
    }
    case 'text':
    default: {
      const s = tryUtf8(bytes) ?? lossyUtf8(bytes);
      return { text: singleLine ? visibleControls(s) : s, json: false };
    }
  }
}

/**
 * The view as text in `mode`. `singleLine` (rows): control characters become
 * visible symbols, JSON stays compact and at most `ROW_BYTES` bytes are shown
 * (except in JSON mode, which needs the whole value to parse it).
 */
export function renderBytes(v: BytesView, mode: DisplayMode, singleLine = true): Rendered {
  const all = viewBytes(v);
  const d = cache.get(v)!;
  const k = mode + (singleLine ? '1' : '0');
  let r = d.out.get(k);
  if (!r) {
    const cut = singleLine && mode !== 'json' && all.length > ROW_BYTES;
    const { text, json } = render(cut ? all.subarray(0, ROW_BYTES) : all, mode, singleLine);
    r = { text: cut ? text + '…' : text, truncated: !!v.truncated || v.length > all.length, cut, json };
    d.out.set(k, r);
  }
  return r;
}

/** Shorthand: the single-line text. */
export function bytesText(v: BytesView | undefined, mode: DisplayMode): string {
  return v ? renderBytes(v, mode).text : '';
}

/** The view as plain text for copying (no visible-control substitution, never cut). */
export function copyText(v: BytesView, mode: DisplayMode): string {
  return renderBytes(v, mode, false).text;
}

/** "(first 256 of 10,000 bytes)" when the host sent only a prefix. */
export function truncationNote(v: BytesView): string {
  const got = viewBytes(v).length;
  if (!v.truncated && got >= v.length) return '';
  return `(first ${got.toLocaleString('en-US')} of ${v.length.toLocaleString('en-US')} bytes)`;
}
