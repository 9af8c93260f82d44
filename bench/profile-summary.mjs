// Summarise a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time.
//   node bench/profile-summary.mjs FILE.cpuprofile [N]
import fs from 'node:fs';
import path from 'node:path';

const [file, nArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [N]');
  process.exit(2);
}
const top = Number(nArg ?? 15);
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
}
const agg = new Map();
let total = 0;
for (const [id, us] of selfUs) {
  const cf = byId.get(id).callFrame;
  const where = cf.url ? `${path.basename(cf.url)}:${cf.lineNumber + 1}` : '';
  const key = `${cf.functionName || '(anonymous)'}\t${where}`;
  agg.set(key, (agg.get(key) ?? 0) + us);
  total += us;
}
const rows = [...agg].sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(`total sampled: ${(total / 1000).toFixed(0)} ms (${prof.samples.length} samples)`);
console.log('self ms   self %  function  (file:line)');
for (const [key, us] of rows) {
  const [fn, where] = key.split('\t');
  console.log(`${(us / 1000).toFixed(1).padStart(8)}  ${((100 * us) / total).toFixed(1).padStart(6)}  ${fn}  ${where}`);
}
