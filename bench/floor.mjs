// The JavaScript floor: the least work any Node checker must do — read the whole
// file with fs.readSync in 1 MiB chunks into one reused buffer and touch every byte.
// Usage: node bench/floor.mjs FILE   → prints {"bytes":N,"sum":N}
import fs from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/floor.mjs FILE');
  process.exit(2);
}
const CHUNK = 1 << 20;

// The byte loop lives in its own small function: V8 optimises it as a whole
// instead of on-stack-replacing a top-level loop (about 1.7x faster here), so
// the floor really is the fastest plain-JS way to touch every byte.
function sumBytes(buf, n, sum) {
  for (let i = 0; i < n; i++) sum = (sum + buf[i]) | 0;
  return sum;
}

const buf = new Uint8Array(CHUNK);
const fd = fs.openSync(file, 'r');
let bytes = 0;
let sum = 0;
for (;;) {
  const n = fs.readSync(fd, buf, 0, CHUNK, null);
  if (n === 0) break;
  sum = sumBytes(buf, n, sum);
  bytes += n;
}
fs.closeSync(fd);
process.stdout.write(`${JSON.stringify({ bytes, sum: sum >>> 0 })}\n`);
