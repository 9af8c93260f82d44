/**
 * Pure formatting for the editor webview: byte sizes, offsets, durations,
 * dates and TTL phrases. No DOM here, so every function is testable on its own.
 */

/** "0x1F" (upper-case hex, no padding). */
export function hex(n: number): string {
  return '0x' + n.toString(16).toUpperCase();
}


/** "0x1A–0x1F0": a byte range [start, end). */
export function rangeText(start: number, end: number): string {
  return `${hex(start)}–${hex(end)}`;
}

const nf = new Intl.NumberFormat('en-US');

/** 1234567 → "1,234,567". */
export function num(n: number): string {
  return nf.format(n);
}

/** "1 key" / "3 keys". */
export function plural(n: number, one: string, many = one + 's'): string {
  return `${num(n)} ${n === 1 ? one : many}`;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Bytes in binary units as VS Code shows them: "512 B", "1.5 KB", "12 MB". */
export function bytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  let v = Math.abs(n);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const sign = n < 0 ? '-' : '';
  if (u === 0) return `${sign}${v} B`;
  return `${sign}${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

/**
 * Parses a size as typed in the filter: "1024", "10k", "2MB", "1.5 GiB" (binary
 * multiples). Empty → undefined (no minimum); invalid → NaN.
 */
export function parseSize(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([kmgt]?)(i?b?)$/i.exec(t);
  if (!m) return NaN;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase()] ?? 1;
  if (m[2] === '' && m[3]!.toLowerCase() === 'i') return NaN;
  return Math.round(parseFloat(m[1]!) * mult);
}

/** A duration in the largest fitting unit: "850 ms", "12 s", "5 min", "3 h", "2 d", "4 y". */
export function duration(ms: number): string {
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(a)} ms`;
  const s = a / 1000;
  if (s < 60) return `${Math.round(s)} s`;
  const min = s / 60;
  if (min < 60) return `${Math.round(min)} min`;
  const h = min / 60;
  if (h < 24) return `${Math.round(h)} h`;
  const d = h / 24;
  if (d < 365) return `${Math.round(d)} d`;
  return `${(d / 365).toFixed(d < 3650 ? 1 : 0)} y`;
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** Local date-time "2024-05-01 10:00:00". */
export function dateTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return 'invalid date';
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** "expired 3 h before the save" / "in 2 d after the save" (relative to the snapshot's ctime). */
export function relativeToSave(expireAtMs: number, ctimeMs: number): string {
  const d = expireAtMs - ctimeMs;
  return d < 0 ? `expired ${duration(d)} before the save` : `in ${duration(d)} after the save`;
}

/** "expired 5 d ago" / "in 2 h" (relative to now). */
export function relativeToNow(expireAtMs: number, nowMs: number): string {
  const d = expireAtMs - nowMs;
  return d < 0 ? `expired ${duration(d)} ago` : `in ${duration(d)}`;
}

/** The full TTL phrase of a key row: absolute date, relative to the save (when known) and to now. */
export function ttlText(expireAtMs: number | undefined, ctimeMs: number | undefined, nowMs: number): string {
  if (expireAtMs === undefined) return 'no TTL';
  const parts = [dateTime(expireAtMs)];
  if (ctimeMs !== undefined) parts.push(relativeToSave(expireAtMs, ctimeMs));
  parts.push(relativeToNow(expireAtMs, nowMs));
  return parts.join(' · ');
}

/** "idle 5 min" (LRU) or "freq 12" (LFU), or ''. */
export function evictionText(idleSeconds: number | undefined, lfuFreq: number | undefined): string {
  if (idleSeconds !== undefined) return `idle ${duration(idleSeconds * 1000)}`;
  if (lfuFreq !== undefined) return `freq ${lfuFreq}`;
  return '';
}

/** What a collection counts, per type. */
export function countNoun(type: string, n: number): string {
  switch (type) {
    case 'string':
      return '';
    case 'list':
      return plural(n, 'item');
    case 'set':
    case 'zset':
      return plural(n, 'member');
    case 'hash':
      return plural(n, 'field');
    case 'stream':
      return plural(n, 'entry', 'entries');
    default:
      return plural(n, 'element');
  }
}

/** A score as Redis prints it (inf, -inf, shortest round-trip form). */
export function scoreText(score: number): string {
  if (score === Infinity) return 'inf';
  if (score === -Infinity) return '-inf';
  return String(score);
}

/** Percentage with one decimal, clamped to 0…100. */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const p = Math.max(0, Math.min(100, (part / whole) * 100));
  return `${p < 10 ? p.toFixed(1) : Math.floor(p)}%`;
}
