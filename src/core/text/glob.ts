/**
 * Redis glob matching on bytes, as `KEYS`/`SCAN MATCH` do it (redis
 * `src/util.c` `stringmatchlen`): `*`, `?`, `[abc]`, `[^a-z]`, `\` escapes.
 * Binary-safe: pattern and subject are both bytes.
 */

/** True when `subject` matches the Redis glob `pattern`. */
export function globMatch(pattern: Uint8Array, subject: Uint8Array): boolean {
  return match(pattern, 0, subject, 0, 0);
}

function match(p: Uint8Array, pi: number, s: Uint8Array, si: number, depth: number): boolean {
  // Redis caps recursion (nesting) to avoid pathological patterns; we do the same.
  if (depth > 1000) return false;
  while (pi < p.length && si < s.length) {
    const c = p[pi]!;
    if (c === 0x2a /* * */) {
      while (pi + 1 < p.length && p[pi + 1] === 0x2a) pi++;
      if (pi + 1 === p.length) return true;
      for (let k = si; k <= s.length; k++) if (match(p, pi + 1, s, k, depth + 1)) return true;
      return false;
    }
    if (c === 0x3f /* ? */) {
      si++;
      pi++;
      continue;
    }
    if (c === 0x5b /* [ */) {
      pi++;
      const not = p[pi] === 0x5e; /* ^ */
      if (not) pi++;
      let matched = false;
      for (;;) {
        if (pi >= p.length) {
          pi--; // unterminated class: Redis treats the end of pattern as ']'
          break;
        }
        const d = p[pi]!;
        if (d === 0x5c && pi + 2 < p.length) {
          pi++;
          if (p[pi] === s[si]) matched = true;
        } else if (d === 0x5d /* ] */) {
          break;
        } else if (pi + 2 < p.length && p[pi + 1] === 0x2d /* - */) {
          let lo = d;
          let hi = p[pi + 2]!;
          if (lo > hi) [lo, hi] = [hi, lo];
          pi += 2;
          const x = s[si]!;
          if (x >= lo && x <= hi) matched = true;
        } else if (d === s[si]) {
          matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      si++;
      pi++;
      continue;
    }
    if (c === 0x5c /* \ */ && pi + 1 < p.length) pi++;
    if (p[pi] !== s[si]) return false;
    pi++;
    si++;
  }
  if (si === s.length) {
    while (pi < p.length && p[pi] === 0x2a) pi++;
  }
  return pi === p.length && si === s.length;
}
