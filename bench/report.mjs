// Rendering of results: the stdout table, bench/results/latest.json and the
// generated section of BENCHMARKS.md (between the bench:start/end markers).
import fs from 'node:fs';
import { fmtBytes, fmtInt, fmtRate, markdownTable, textTable } from './util.mjs';

export const TARGETS = {
  checkRdbOverOurs: 3,
  oursOverFloor: 1.5,
  oursRssMiB: 150,
  // AOF files (plain.aof, hybrid.aof)
  checkAofOverOurs: 2.5,
  aofOursOverFloor: 1.5,
  aofOursRssMiB: 150,
  // Flat memory: ours' peak RSS on plain.aof may exceed its peak RSS on the 100 MB prefix by at most this much.
  aofRssGrowthMiB: 16,
};
export const START = '<!-- bench:start -->';
export const END = '<!-- bench:end -->';

const TOOL_ORDER = ['redis-check-rdb', 'ours', 'floor'];
const AOF_TOOL_ORDER = ['redis-check-aof', 'ours', 'floor'];
const TOOL_LABEL = { 'redis-check-rdb': 'redis-check-rdb', 'redis-check-aof': 'redis-check-aof', ours: 'redis-inspect check', floor: 'JS floor (readSync + sum)' };
const NAMES = { small: 'small-keys.rdb', large: 'large-values.rdb' };
const AOF_NAMES = { plain: 'plain.aof', hybrid: 'hybrid.aof' };

export function evaluate(entry) {
  if (entry.kind === 'aof') return evaluateAof(entry);
  const t = entry.tools;
  const ratios = {
    checkRdbOverOurs: round2(t['redis-check-rdb'].medianSeconds / t.ours.medianSeconds),
    oursOverFloor: round2(t.ours.medianSeconds / t.floor.medianSeconds),
    // Ceiling for checkRdbOverOurs of any JS checker that reads every byte.
    checkRdbOverFloor: round2(t['redis-check-rdb'].medianSeconds / t.floor.medianSeconds),
  };
  const targets = {
    checkRdbOverOurs: { target: `>= ${TARGETS.checkRdbOverOurs}x`, value: ratios.checkRdbOverOurs, met: ratios.checkRdbOverOurs >= TARGETS.checkRdbOverOurs },
    oursOverFloor: { target: `<= ${TARGETS.oursOverFloor}x`, value: ratios.oursOverFloor, met: ratios.oursOverFloor <= TARGETS.oursOverFloor },
    oursRssMiB: { target: `< ${TARGETS.oursRssMiB} MiB`, value: t.ours.maxPeakRssMiB, met: t.ours.maxPeakRssMiB < TARGETS.oursRssMiB },
  };
  return { ratios, targets };
}

function evaluateAof(entry) {
  const t = entry.tools;
  const ratios = {
    checkAofOverOurs: round2(t['redis-check-aof'].medianSeconds / t.ours.medianSeconds),
    oursOverFloor: round2(t.ours.medianSeconds / t.floor.medianSeconds),
    // Ceiling for checkAofOverOurs of any JS checker that reads every byte.
    checkAofOverFloor: round2(t['redis-check-aof'].medianSeconds / t.floor.medianSeconds),
  };
  const targets = {
    checkAofOverOurs: { target: `>= ${TARGETS.checkAofOverOurs}x`, value: ratios.checkAofOverOurs, met: ratios.checkAofOverOurs >= TARGETS.checkAofOverOurs },
    oursOverFloor: { target: `<= ${TARGETS.aofOursOverFloor}x`, value: ratios.oursOverFloor, met: ratios.oursOverFloor <= TARGETS.aofOursOverFloor },
    oursRssMiB: { target: `< ${TARGETS.aofOursRssMiB} MiB`, value: t.ours.maxPeakRssMiB, met: t.ours.maxPeakRssMiB < TARGETS.aofOursRssMiB },
  };
  if (entry.prefix) {
    const growth = Math.round((t.ours.maxPeakRssMiB - entry.prefix.ours.maxPeakRssMiB) * 10) / 10;
    ratios.rssGrowthMiB = growth;
    targets.flatMemory = { target: `<= +${TARGETS.aofRssGrowthMiB} MiB from ${entry.prefix.file}`, value: growth, met: growth <= TARGETS.aofRssGrowthMiB };
  }
  return { ratios, targets };
}

function round2(x) {
  return Math.round(x * 100) / 100;
}

const yes = (met) => (met ? 'met' : 'NOT MET');

function toolRows(entry) {
  const aof = entry.kind === 'aof';
  const rows = (aof ? AOF_TOOL_ORDER : TOOL_ORDER).map((id) => {
    const s = entry.tools[id];
    return [
      TOOL_LABEL[id],
      s.bestSeconds.toFixed(3),
      s.medianSeconds.toFixed(3),
      s.bestMBps.toFixed(0),
      s.medianMBps.toFixed(0),
      id === 'ours' ? fmtRate(aof ? s.commandsPerSecMedian : s.keysPerSecMedian) : '',
      s.maxPeakRssMiB.toFixed(1),
    ];
  });
  if (aof && entry.prefix) {
    const s = entry.prefix.ours;
    rows.push([
      `redis-inspect check on ${entry.prefix.file} (${fmtBytes(entry.prefix.bytes)})`,
      s.bestSeconds.toFixed(3),
      s.medianSeconds.toFixed(3),
      s.bestMBps.toFixed(0),
      s.medianMBps.toFixed(0),
      fmtRate(Math.round(entry.prefix.commands / s.medianSeconds)),
      s.maxPeakRssMiB.toFixed(1),
    ]);
  }
  return rows;
}

const HEADER = ['tool', 'best s', 'median s', 'best MB/s', 'median MB/s', 'keys/s (median)', 'peak RSS MiB'];
const AOF_HEADER = ['tool', 'best s', 'median s', 'best MB/s', 'median MB/s', 'commands/s (median)', 'peak RSS MiB'];

function stdoutReportAof(entry) {
  const lines = [];
  lines.push('');
  const pre = entry.preambleBytes ? `, ${fmtBytes(entry.preambleBytes)} RDB preamble with ${fmtInt(entry.keys)} keys` : '';
  lines.push(`== ${entry.file}: ${fmtBytes(entry.bytes)}${pre}, ${fmtInt(entry.commands)} commands, ${entry.runs} runs per tool, warm page cache ==`);
  lines.push(textTable(AOF_HEADER, toolRows(entry)));
  const { ratios, targets } = entry;
  lines.push(
    `redis-check-aof / ours = ${ratios.checkAofOverOurs.toFixed(2)}x (target ${targets.checkAofOverOurs.target}: ${yes(targets.checkAofOverOurs.met)});  ` +
      `ours / floor = ${ratios.oursOverFloor.toFixed(2)}x (target ${targets.oursOverFloor.target}: ${yes(targets.oursOverFloor.met)});  ` +
      `ours peak RSS = ${targets.oursRssMiB.value} MiB (target ${targets.oursRssMiB.target}: ${yes(targets.oursRssMiB.met)})`,
  );
  if (targets.flatMemory) {
    lines.push(
      `flat memory: ours peak RSS ${entry.prefix.ours.maxPeakRssMiB} MiB on ${entry.prefix.file} (${fmtBytes(entry.prefix.bytes)}) vs ${entry.tools.ours.maxPeakRssMiB} MiB on ${entry.file} ` +
        `(${fmtBytes(entry.bytes)}): ${targets.flatMemory.value >= 0 ? '+' : ''}${targets.flatMemory.value} MiB (target ${targets.flatMemory.target}: ${yes(targets.flatMemory.met)})`,
    );
  }
  lines.push(`(ceiling: redis-check-aof / JS floor = ${ratios.checkAofOverFloor.toFixed(2)}x — no JS checker that reads every byte beats that ratio)`);
  return lines.join('\n');
}

export function stdoutReport(name, entry) {
  if (entry.kind === 'aof') return stdoutReportAof(entry);
  const lines = [];
  lines.push('');
  lines.push(`== ${entry.file}: ${fmtBytes(entry.bytes)}, ${fmtInt(entry.keys)} keys, ${entry.runs} runs per tool, warm page cache ==`);
  lines.push(textTable(HEADER, toolRows(entry)));
  const { ratios, targets } = entry;
  lines.push(
    `redis-check-rdb / ours = ${ratios.checkRdbOverOurs.toFixed(2)}x (target ${targets.checkRdbOverOurs.target}: ${yes(targets.checkRdbOverOurs.met)});  ` +
      `ours / floor = ${ratios.oursOverFloor.toFixed(2)}x (target ${targets.oursOverFloor.target}: ${yes(targets.oursOverFloor.met)});  ` +
      `ours peak RSS = ${targets.oursRssMiB.value} MiB (target ${targets.oursRssMiB.target}: ${yes(targets.oursRssMiB.met)})`,
  );
  lines.push(`(ceiling: redis-check-rdb / JS floor = ${ratios.checkRdbOverFloor.toFixed(2)}x — no JS checker that reads every byte beats that ratio)`);
  return lines.join('\n');
}

export function readResults(file) {
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    return json && typeof json === 'object' && json.files ? json : null;
  } catch {
    return null;
  }
}

function machineLine(m) {
  return `${m.nproc} CPUs (${m.cpuModel}), ${m.memGiB} GiB RAM, ${m.os}; Node ${m.node}; redis ${m.redis}`;
}

function aofDataRows(results, aofNames) {
  const rows = [];
  for (const n of aofNames) {
    const f = results.files[n];
    const fmt = f.format === 'aof-hybrid' ? `hybrid (RDB preamble ${fmtBytes(f.preambleBytes)}, ${fmtInt(f.keys)} keys + RESP)` : 'plain RESP';
    const gen = `${f.generationSeconds.toFixed(1)} s + ${f.verifySeconds.toFixed(1)} s redis-check-aof`;
    rows.push([`\`bench/data/${f.file}\``, fmtBytes(f.bytes), fmt, fmtInt(f.commands), fmtInt(f.annotations), f.generatedAt.slice(0, 10), gen, f.description]);
    if (f.prefix) {
      const p = f.prefix;
      rows.push([`\`bench/data/${p.file}\``, fmtBytes(p.bytes), 'plain RESP', fmtInt(p.commands), '', f.generatedAt.slice(0, 10), `${p.generationSeconds.toFixed(1)} s (copy) + redis-check-aof`, p.description]);
    }
  }
  return rows;
}

export function markdownSection(results) {
  const out = [];
  const names = Object.keys(NAMES).filter((n) => results.files[n]);
  const aofNames = Object.keys(AOF_NAMES).filter((n) => results.files[n]);
  const all = [...names, ...aofNames];
  out.push(START);
  out.push('<!-- Generated by `npm run bench` (bench/run.mjs); everything between the markers is rewritten on each run. -->');
  out.push('');
  out.push(`Last run: ${results.updatedAt}. Numbers in \`bench/results/latest.json\`.`);
  out.push('');
  out.push('### Machine');
  out.push('');
  const machines = new Map(all.map((n) => [machineLine(results.files[n].machine), n]));
  if (machines.size === 1) out.push(`- ${[...machines.keys()][0]}`);
  else for (const n of all) out.push(`- ${results.files[n].file}: ${machineLine(results.files[n].machine)}`);
  out.push('');
  out.push('### Data files');
  if (names.length) {
    out.push('');
    out.push(
      markdownTable(
        ['file', 'size', 'keys', 'with TTL', 'generated', 'generation time', 'contents'],
        names.map((n) => {
          const f = results.files[n];
          return [`\`bench/data/${f.file}\``, fmtBytes(f.bytes), fmtInt(f.keys), fmtInt(f.expires), f.generatedAt.slice(0, 10), `${f.generationSeconds.toFixed(1)} s`, f.description];
        }),
        ['l', 'r', 'r', 'r', 'l', 'r', 'l'],
      ),
    );
  }
  if (aofNames.length) {
    out.push('');
    out.push(
      markdownTable(
        ['file', 'size', 'format', 'commands', '#TS annotations', 'generated', 'generation time', 'contents'],
        aofDataRows(results, aofNames),
        ['l', 'r', 'l', 'r', 'r', 'l', 'r', 'l'],
      ),
    );
  }
  out.push('');
  out.push('### Results');
  out.push('');
  out.push(
    'All measurements are warm-cache (the file is read once before measuring; the machine has far more RAM than the files). ' +
      'Wall time is measured around each child process (including Node start-up); peak RSS is GNU time `%M`. ' +
      'MB/s = 10^6 bytes of file per second of wall time. Ratios use median wall times.',
  );
  for (const n of names) {
    const e = results.files[n];
    out.push('');
    out.push(`#### ${e.file} (${fmtBytes(e.bytes)}, ${fmtInt(e.keys)} keys; ${e.runs} runs per tool; measured ${e.measuredAt})`);
    out.push('');
    out.push(`redis-inspect: \`${e.tools.ours.command}\` built from ${e.revision ?? 'unknown'}; \`check --json\` reported ${fmtInt(e.tools.ours.keys)} keys.`);
    out.push('');
    out.push(markdownTable(HEADER, toolRows(e), ['l', 'r', 'r', 'r', 'r', 'r', 'r']));
  }
  for (const n of aofNames) {
    const e = results.files[n];
    const pre = e.preambleBytes ? `, RDB preamble ${fmtBytes(e.preambleBytes)} with ${fmtInt(e.keys)} keys` : '';
    out.push('');
    out.push(`#### ${e.file} (${fmtBytes(e.bytes)}${pre}, ${fmtInt(e.commands)} commands; ${e.runs} runs per tool; measured ${e.measuredAt})`);
    out.push('');
    out.push(
      `redis-inspect: \`${e.tools.ours.command}\` built from ${e.revision ?? 'unknown'}; \`check --json\` reported ok, validUpTo = file size, ` +
        `${fmtInt(e.tools.ours.commands)} commands${e.preambleBytes ? ` and ${fmtInt(e.tools.ours.keys)} preamble keys` : ''}. ` +
        `redis-check-aof: exit 0, \`ok_up_to\` = file size, "is valid".`,
    );
    out.push('');
    out.push(markdownTable(AOF_HEADER, toolRows(e), ['l', 'r', 'r', 'r', 'r', 'r', 'r']));
  }
  out.push('');
  out.push('### Targets');
  if (names.length) {
    out.push('');
    out.push(
      markdownTable(
        ['file', `redis-check-rdb / ours (≥ ${TARGETS.checkRdbOverOurs}×)`, `ours / JS floor (≤ ${TARGETS.oursOverFloor}×)`, `ours peak RSS (< ${TARGETS.oursRssMiB} MiB)`, 'redis-check-rdb / JS floor (ceiling of the first ratio)'],
        names.map((n) => {
          const t = results.files[n].targets;
          return [
            results.files[n].file,
            `${t.checkRdbOverOurs.value.toFixed(2)}× — ${yes(t.checkRdbOverOurs.met)}`,
            `${t.oursOverFloor.value.toFixed(2)}× — ${yes(t.oursOverFloor.met)}`,
            `${t.oursRssMiB.value.toFixed(1)} MiB — ${yes(t.oursRssMiB.met)}`,
            `${results.files[n].ratios.checkRdbOverFloor?.toFixed(2) ?? '?'}×`,
          ];
        }),
      ),
    );
  }
  if (aofNames.length) {
    out.push('');
    out.push(
      markdownTable(
        [
          'file',
          `redis-check-aof / ours (≥ ${TARGETS.checkAofOverOurs}×)`,
          `ours / JS floor (≤ ${TARGETS.aofOursOverFloor}×)`,
          `ours peak RSS (< ${TARGETS.aofOursRssMiB} MiB)`,
          `flat memory: ours RSS, 100 MB prefix → full file (≤ +${TARGETS.aofRssGrowthMiB} MiB)`,
          'redis-check-aof / JS floor (ceiling of the first ratio)',
        ],
        aofNames.map((n) => {
          const e = results.files[n];
          const t = e.targets;
          return [
            e.file,
            `${t.checkAofOverOurs.value.toFixed(2)}× — ${yes(t.checkAofOverOurs.met)}`,
            `${t.oursOverFloor.value.toFixed(2)}× — ${yes(t.oursOverFloor.met)}`,
            `${t.oursRssMiB.value.toFixed(1)} MiB — ${yes(t.oursRssMiB.met)}`,
            t.flatMemory
              ? `${e.prefix.ours.maxPeakRssMiB.toFixed(1)} → ${e.tools.ours.maxPeakRssMiB.toFixed(1)} MiB (${t.flatMemory.value >= 0 ? '+' : ''}${t.flatMemory.value.toFixed(1)}) — ${yes(t.flatMemory.met)}`
              : '—',
            `${e.ratios.checkAofOverFloor.toFixed(2)}×`,
          ];
        }),
      ),
    );
  }
  out.push(END);
  return out.join('\n');
}

const PREAMBLE = `# Benchmarks

\`redis-inspect check\` against \`redis-check-rdb\` / \`redis-check-aof\` (the checkers that ship with
Redis) and against a "JavaScript floor" — a plain Node loop (\`bench/floor.mjs\`) that reads the file
with \`fs.readSync\` in 1 MiB chunks into one reused buffer and sums every byte, i.e. the least work
any Node-based checker has to do that reads every byte (an AOF checker may skip bulk payloads, so
on AOF "ours" can in principle come close to or beat the floor).

## How to run

\`\`\`sh
npm run bench                      # build, generate data if missing, measure all files 3x
node bench/run.mjs --only small    # one file only (small | large | plain | hybrid); other results are kept
node bench/run.mjs --only plain    # plain.aof, plus ours on its 100 MB prefix (flat-memory check)
node bench/run.mjs --runs 5        # more repetitions (best and median are reported)
node bench/run.mjs --regen         # regenerate the measured bench/data/ files even if cached
node bench/run.mjs --cli path.js   # measure another build of the CLI (default dist/cli.js)
\`\`\`

Requirements: \`redis-server\`, \`redis-check-rdb\`, \`redis-check-aof\` on PATH (Debian \`redis-server\`/\`redis-tools\`) and
GNU time at \`/usr/bin/time\` (Debian \`time\`). Data generation starts a throw-away \`redis-server\`
on a unix socket in a temp directory (\`--port 0 --save '' --enable-debug-command yes\`), pushes the
data as raw RESP, runs \`SAVE\` and copies \`dump.rdb\` into \`bench/data/\` (git-ignored); the server is
stopped by PID on every exit path. Each measured command has a timeout (\`--timeout\`, default 600 s).
\`check\` must exit 0 on these files and its \`--json\` key count must match the generated key count,
otherwise the bench fails.

AOF files (\`bench/generate-aof.mjs\`, needs \`redis-check-aof\` on PATH) are written without a server:
Node emits the RESP bytes directly from a deterministic PRNG through one reused 16 MiB buffer
(about 100 MB/s of AOF). \`plain.aof\` (≥ 500 MB) is a realistic command mix — SET with small
(8–64 B) and medium (256 B–4 KiB, 10% binary) values, SET … PXAT, HSET, RPUSH, ZADD, SADD,
INCR/INCRBY, EXPIRE, PEXPIREAT, DEL, LPOP, HDEL, MULTI/EXEC blocks of 2–6 commands, SELECT over
dbs 0–3 and a \`#TS:\` annotation every 1000 operations. \`plain-100mb.aof\` is its first ~100 MB, cut
after a complete command outside MULTI (used only for the flat-memory check). \`hybrid.aof\`
(≥ 500 MB) is \`small-keys.rdb\` (written by a real \`redis-server\` SAVE) as RDB preamble followed by
a generated RESP tail of the same mix. Every generated AOF is verified once with the real
\`redis-check-aof\` (exit 0, \`ok_up_to\` = file size, "is valid") before it is cached; each
measured \`redis-check-aof\` run is checked the same way. \`check --json\` must report \`ok: true\`,
\`validUpTo\` = file size and the generated command count (and for the hybrid the preamble's key
count), otherwise the bench fails.

Targets, RDB: redis-check-rdb / ours ≥ 3× (wall), ours / JS floor ≤ 1.5× (wall), peak RSS of ours < 150 MiB.
Targets, AOF: redis-check-aof / ours ≥ 2.5× (wall), ours / JS floor ≤ 1.5× (wall), peak RSS of ours
< 150 MiB, and flat memory: ours' peak RSS on \`plain.aof\` at most 16 MiB above its peak RSS on the
100 MB prefix \`plain-100mb.aof\`.

## Latest results

`;

export function updateBenchmarksMd(file, results) {
  const section = markdownSection(results);
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    text = null;
  }
  if (text === null) {
    text = `${PREAMBLE}${section}\n`;
  } else {
    const a = text.indexOf(START);
    const b = text.indexOf(END);
    if (a !== -1 && b > a) text = text.slice(0, a) + section + text.slice(b + END.length);
    else text = `${text.replace(/\s*$/, '\n\n')}## Latest results\n\n${section}\n`;
  }
  fs.writeFileSync(file, text);
}
