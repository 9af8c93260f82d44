// The AOF core against Debian's redis-check-aof 7.0.15 on the generated fixtures
// (test/fixtures/aof, see PROVENANCE.md): for every file or multi-part set the
// verdict, ok_up_to, the "0x…: <message>" line, the manifest error and the
// --fix / --truncate-to-timestamp outcome must be what the transcript shows; and
// where redis-server's own load transcript exists, what our problems say the
// server does must be what it did.

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseAof, type AofResult } from '../../src/core/aof/aofParser.js';
import { checkAofSet, type AofSetResult } from '../../src/core/aof/aofSet.js';
import { planFix, planForSet, planTruncateToTimestamp, type RepairOutcome } from '../../src/core/aof/repair.js';
import { FileSource } from '../../src/cli/fileSource.js';
import { openInDir, resolveTarget, type Target } from '../../src/cli/target.js';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const FIX = join(ROOT, 'test', 'fixtures', 'aof');
const TRANSCRIPTS = join(FIX, 'transcripts');

// ---------------------------------------------------------------------------
// Transcripts

interface Analyzed {
  file: string;
  size: number;
  okUpTo: number;
  diff: number;
}

/** What redis-check-aof printed, in pieces. */
interface CheckTranscript {
  /** The path given to redis-check-aof, relative to the fixture folder. */
  arg: string;
  args: string[];
  exit: number;
  analyzed: Analyzed[];
  /** The `0x<hex>: <message>` line. */
  error?: { offset: number; message: string };
  formatError?: string;
  /** `*** FATAL AOF MANIFEST FILE ERROR ***` and what follows it. */
  manifest?: { line?: number; text?: string; message: string };
  cannotOpen?: { path: string; reason: string };
  preambleInsane: boolean;
  /** The `[offset N] <message>` after `--- RDB ERROR DETECTED ---`. */
  rdbError?: { offset: number; message: string };
  empty: string[];
  valid: string[];
  shrink?: string;
  truncated?: string;
  notLast?: string;
  /** truncate-to-timestamp lines. */
  nothingBefore?: string;
  truncatedToTimestamp?: string;
  truncateNothing: string[];
  sizeAfter?: number;
  incrSizeAfter?: number;
}

function parseTranscript(text: string): CheckTranscript {
  const lines = text.split('\n');
  const cmd = lines[0]!.replace(/^\$ (echo y \| )?/, '').split(' ');
  assert.equal(cmd[0], 'redis-check-aof', `unexpected transcript command: ${lines[0]}`);
  const t: CheckTranscript = { arg: cmd[cmd.length - 1]!, args: cmd.slice(1), exit: -1, analyzed: [], preambleInsane: false, empty: [], valid: [], truncateNothing: [] };
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    let m: RegExpExecArray | null;
    if ((m = /^\[exit code: (\d+)\]$/.exec(l))) t.exit = Number(m[1]);
    else if ((m = /^AOF analyzed: filename=(.*), size=(\d+), ok_up_to=(\d+), ok_up_to_line=\d+, diff=(\d+)$/.exec(l)))
      t.analyzed.push({ file: m[1]!, size: Number(m[2]), okUpTo: Number(m[3]), diff: Number(m[4]) });
    else if ((m = /^(?:Continue\? \[y\/N\]: )?0x *([0-9a-f]+): ([^\n]*)$/.exec(l))) t.error = { offset: parseInt(m[1]!, 16), message: m[2]! };
    else if ((m = /^AOF (.*) format error$/.exec(l))) t.formatError = l;
    else if (l === '*** FATAL AOF MANIFEST FILE ERROR ***') {
      // The next non-blank lines: "# Reading the manifest file, at line N", "# >>> '<line>'", "# <message>".
      const rest = lines
        .slice(i + 1)
        .filter((x) => x.trim() !== '' && !x.startsWith('['))
        .map((x) => x.replace(/^\d+:C .*? # /, ''));
      const info: { line?: number; text?: string; message: string } = { message: '' };
      for (const r of rest) {
        const at = /^Reading the manifest file, at line (\d+)$/.exec(r);
        const shown = /^>>> '(.*)'$/.exec(r);
        if (at) info.line = Number(at[1]);
        else if (shown) info.text = shown[1]!;
        else {
          info.message = r;
          break;
        }
      }
      t.manifest = info;
    } else if ((m = /^Cannot open file (.*): (.*), aborting\.\.\.$/.exec(l))) t.cannotOpen = { path: m[1]!, reason: m[2]! };
    else if (l === 'RDB preamble of AOF file is not sane, aborting.') t.preambleInsane = true;
    else if (l === '--- RDB ERROR DETECTED ---' && (m = /^\[offset (\d+)\] (.*)$/.exec(lines[i + 1] ?? ''))) t.rdbError = { offset: Number(m[1]), message: m[2]! };
    else if ((m = /^(?:BASE |INCR )?AOF (.*) is empty$/.exec(l))) t.empty.push(m[1]!);
    else if ((m = /^(?:BASE |INCR )?AOF (.*) is valid$/.exec(l))) t.valid.push(m[1]!);
    else if ((m = /^(This will shrink the AOF .*)$/.exec(l))) t.shrink = m[1]!;
    else if ((m = /^Continue\? \[y\/N\]: Successfully truncated AOF (.*)$/.exec(l))) t.truncated = m[1]!;
    else if ((m = /^Failed to truncate AOF (.*) because it is not the last file$/.exec(l))) t.notLast = m[1]!;
    else if ((m = /^(AOF .* has nothing before timestamp \d+, aborting\.\.\.)$/.exec(l))) t.nothingBefore = m[1]!;
    else if ((m = /^Successfully truncated AOF (.*) to timestamp \d+$/.exec(l))) t.truncatedToTimestamp = m[1]!;
    else if ((m = /^Truncate nothing in AOF (.*) to timestamp \d+$/.exec(l))) t.truncateNothing.push(m[1]!);
    else if ((m = /^\[size after: (\d+) bytes, before: \d+ bytes\]$/.exec(l))) t.sizeAfter = Number(m[1]);
    else if ((m = /^\[incr size after: (\d+), before: \d+\]$/.exec(l))) t.incrSizeAfter = Number(m[1]);
  }
  assert.notEqual(t.exit, -1, 'transcript without an exit code');
  return t;
}

function transcript(name: string): CheckTranscript {
  return parseTranscript(readFileSync(join(TRANSCRIPTS, name), 'latin1'));
}

/** Where a transcript's argument lives among our fixtures (ok/ or err/). */
function fixturePath(arg: string): string {
  for (const sub of ['ok', 'err']) {
    const p = join(FIX, sub, arg);
    if (existsSync(p)) return p;
  }
  throw new Error(`no fixture for ${arg}`);
}

// ---------------------------------------------------------------------------
// Our side, through the CLI's own target resolution and file opening

interface Ours {
  target: Target;
  single?: AofResult;
  set?: AofSetResult;
  ok: boolean;
}

function check(p: string): Ours {
  const target = resolveTarget(p);
  if (target.kind === 'aof') {
    const src = new FileSource(target.path);
    try {
      const single = parseAof(src, {}, { fileName: basename(target.path) });
      return { target, single, ok: single.ok };
    } finally {
      src.close();
    }
  }
  assert.equal(target.kind, 'multipart', `${p}: resolved as ${target.kind}`);
  const opened: FileSource[] = [];
  try {
    const set = checkAofSet(new Uint8Array(readFileSync(target.manifestPath)), openInDir(target.dir, opened));
    return { target, set, ok: set.ok };
  } finally {
    for (const s of opened) s.close();
  }
}

/** Our result for the file redis-check-aof names in `filename=`. */
function resultFor(o: Ours, name: string): AofResult {
  if (o.single) {
    assert.equal(name, basename((o.target as { path: string }).path));
    return o.single;
  }
  const f = o.set!.files.find((x) => x.name === name);
  assert.ok(f?.result, `we have no result for ${name}`);
  return f.result;
}

/** The file whose first error redis-check-aof reports (the one it stops at). */
function damagedResult(o: Ours): AofResult | undefined {
  if (o.single) return o.single.ok ? undefined : o.single;
  return o.set!.damaged?.result;
}

/** redis-check-aof --fix's decision, as `fix` computes it (src/cli/fix.ts planFor). */
function fixPlan(o: Ours): RepairOutcome {
  if (o.single) return planFix(basename((o.target as { path: string }).path), o.single);
  return planForSet(o.set!, (file, r) => planFix(file, r), { kind: 'fix' });
}

const MANIFEST_CODES: Record<string, string> = {
  'Invalid AOF manifest file format': 'manifest.invalid-format',
  'Found duplicate base file information': 'manifest.duplicate-base',
  'Found a non-monotonic sequence number': 'manifest.non-monotonic-seq',
  'Unknown AOF file type': 'manifest.unknown-type',
  "File can't be a path, just a filename": 'manifest.path-in-name',
  'The AOF manifest file contains too long line': 'manifest.line-too-long',
  'Found an empty AOF manifest': 'manifest.empty',
};

/** Byte offset where 1-based line `n` of `bytes` starts. */
function lineStart(bytes: Uint8Array, n: number): number {
  let at = 0;
  for (let k = 1; k < n; k++) at = bytes.indexOf(0x0a, at) + 1;
  return at;
}

/**
 * What our problems say redis-server 7.0.15 (aof-load-truncated yes) does with
 * the files in load order: true = it starts, false = it refuses. Read from the
 * texts the core attaches to each finding (aofParser.ts `serverView` and the
 * warnings of `checkCommand`).
 */
function oursSaysServerLoads(files: { result: AofResult; last: boolean }[]): boolean {
  for (const { result: r, last } of files) {
    if (r.preambleDamaged) return false;
    if (r.problems.some((p) => p.severity === 'warning' && /redis-server refuses/.test(p.message))) return false;
    if (r.ok) continue;
    const first = r.problems.find((p) => p.severity === 'error')!;
    if (/redis-server loads this anyway|redis-server logs the command error and keeps loading/.test(first.message)) continue;
    if (/redis-server truncates the last file of a set here and loads it|redis-server reverts the incomplete transaction/.test(first.message)) {
      if (!last) return false;
      continue;
    }
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------

const checkCases = readdirSync(TRANSCRIPTS)
  .filter((f) => f.startsWith('check-aof--'))
  .map((f) => f.slice('check-aof--'.length, -'.txt'.length))
  .sort();

describe('AOF fixtures: same results as redis-check-aof 7.0.15', () => {
  it('covers every AOF fixture with a transcript (and every transcript with a fixture)', () => {
    const fixtures = ['ok', 'err'].flatMap((sub) => readdirSync(join(FIX, sub)).map((f) => f.replace(/\.aof$/, ''))).sort();
    assert.deepEqual(fixtures, checkCases);
    assert.equal(checkCases.length, 39);
    for (const c of checkCases) assert.ok(existsSync(join(TRANSCRIPTS, `check-aof-fix--${c}.txt`)) || c.startsWith('multipart-') || c.startsWith('old-style-'), `no --fix transcript for ${c}`);
  });

  for (const name of checkCases) {
    it(`${name}: verdict, ok_up_to, checker message${name.startsWith('mp-manifest') ? ', manifest problem' : ''}`, () => {
      const t = transcript(`check-aof--${name}.txt`);
      const o = check(fixturePath(t.arg));

      assert.equal(o.ok, t.exit === 0, `verdict: redis-check-aof exits ${t.exit}, we say ok=${o.ok}`);

      // ok_up_to of every file redis-check-aof analysed.
      for (const a of t.analyzed) {
        const r = resultFor(o, a.file);
        assert.deepEqual({ file: a.file, size: r.size, okUpTo: r.validUpTo }, { file: a.file, size: a.size, okUpTo: a.okUpTo });
        assert.equal(r.ok, a.diff === 0, `${a.file}: diff=${a.diff}`);
      }
      // Multi-part: it stops at the first invalid file; files after it were not checked by Redis.
      if (o.set && t.analyzed.length > 0 && !t.preambleInsane && !t.cannotOpen) {
        const last = t.analyzed[t.analyzed.length - 1]!;
        if (last.diff > 0) {
          assert.equal(o.set.damaged?.name, last.file);
          const checked = o.set.files.filter((f) => f.checkedByRedis).map((f) => f.name);
          assert.equal(checked[checked.length - 1], last.file);
        }
      }

      // The "0x<offset>: <message>" line, or "AOF <name> format error".
      const d = damagedResult(o);
      if (t.error) {
        assert.ok(d, 'redis-check-aof printed an error line but we found no damaged file');
        assert.deepEqual({ message: d.checkerMessage, offset: d.checkerOffset }, { message: t.error.message, offset: t.error.offset });
      } else if (t.formatError) {
        assert.equal(d?.checkerMessage, t.formatError);
      } else if (!t.preambleInsane) {
        for (const r of o.single ? [o.single] : o.set!.files.flatMap((f) => (f.result ? [f.result] : []))) assert.equal(r.checkerMessage, undefined);
      }

      // RDB preamble / RDB base refused by redis-check-rdb.
      if (t.preambleInsane) {
        assert.ok(d, 'no damaged file for an insane preamble');
        assert.equal(d.preambleDamaged, true);
        assert.equal(d.checkerMessage, 'RDB preamble of AOF file is not sane, aborting.');
        // No "AOF analyzed" line for the refused file.
        const refusedName = o.set ? o.set.damaged!.name : basename(t.arg);
        assert.ok(!t.analyzed.some((a) => a.file === refusedName));
        const rdbError = d.problems.find((p) => p.severity === 'error' && p.code.startsWith('rdb.'));
        assert.ok(rdbError, 'no rdb.* error on the preamble');
        assert.equal(rdbError.checkerOffset, t.rdbError!.offset, `redis-check-rdb: [offset ${t.rdbError!.offset}] ${t.rdbError!.message}`);
      } else if (d) {
        assert.equal(d.preambleDamaged, false);
      }

      // Manifest errors: same code, same line, same offending text.
      if (t.manifest) {
        assert.ok(o.set, 'a manifest error needs a multi-part target');
        const m = o.set.manifest;
        assert.equal(m.ok, false);
        assert.equal(m.problems.length, 1);
        const p = m.problems[0]!;
        const code = MANIFEST_CODES[t.manifest.message];
        assert.ok(code, `unmapped manifest message ${t.manifest.message}`);
        assert.equal(p.code, code);
        assert.ok(p.message.startsWith(t.manifest.message), `${p.message} does not start with Redis' words`);
        const bytes = new Uint8Array(readFileSync((o.target as { manifestPath: string }).manifestPath));
        if (t.manifest.line !== undefined) {
          assert.ok(p.message.endsWith(`(manifest line ${t.manifest.line}: '${t.manifest.text}')`), p.message);
          assert.equal(p.offset, lineStart(bytes, t.manifest.line));
        } else {
          // "too long line" has no line number in Redis' output: ours points at the unterminated last line.
          assert.equal(code, 'manifest.line-too-long');
          const lines = bytes.reduce((n, b) => n + (b === 0x0a ? 1 : 0), 0) + 1;
          assert.equal(p.offset, lineStart(bytes, lines));
          assert.equal(p.end, bytes.length);
        }
      } else if (o.set) {
        assert.equal(o.set.manifest.ok, true);
      }

      if (t.cannotOpen) {
        assert.ok(o.set);
        const name = basename(t.cannotOpen.path);
        assert.equal(o.set.damaged?.name, name);
        assert.equal(o.set.damaged?.openError, t.cannotOpen.reason);
        const p = o.set.problems.find((x) => x.code === 'aof.cannot-open');
        assert.ok(p?.message.startsWith(`Cannot open file ${name}: ${t.cannotOpen.reason}`), p?.message);
      }

      // "is empty" (exit 0): only the 0-byte manifest, which redis-check-aof takes for an empty AOF.
      for (const e of t.empty) assert.equal(resultFor(o, basename(e)).size, 0);
    });
  }

  describe('--fix: same decision and same truncation as redis-check-aof --fix', () => {
    for (const name of checkCases.filter((c) => existsSync(join(TRANSCRIPTS, `check-aof-fix--${c}.txt`)))) {
      it(name, () => {
        const t = transcript(`check-aof-fix--${name}.txt`);
        assert.deepEqual(t.args.slice(0, 1), ['--fix']);
        const o = check(fixturePath(t.arg));
        const plan = fixPlan(o);
        if (t.truncated) {
          assert.equal(t.exit, 0);
          assert.ok('removals' in plan, `we refuse: ${JSON.stringify(plan)}`);
          assert.equal(plan.file, t.truncated);
          assert.equal(plan.summary, t.shrink);
          assert.equal(plan.removals.length, 1);
          assert.equal(plan.removals[0]!.end, plan.size);
          if (t.sizeAfter !== undefined) assert.equal(plan.newSize, t.sizeAfter);
          const m = /to (\d+) bytes$/.exec(t.shrink!)!;
          assert.equal(plan.newSize, Number(m[1]));
        } else if (t.exit === 0) {
          assert.ok('nothing' in plan, `redis-check-aof changes nothing, we plan ${JSON.stringify(plan)}`);
          if (t.sizeAfter !== undefined) assert.equal(o.single?.size ?? -1, t.sizeAfter);
        } else {
          assert.ok('refused' in plan, `redis-check-aof refuses (exit ${t.exit}), we plan ${JSON.stringify(plan)}`);
          if (t.notLast) assert.ok(plan.refused.startsWith(`Failed to truncate AOF ${t.notLast} because it is not the last file`), plan.refused);
          if (t.preambleInsane) assert.match(plan.refused, /RDB preamble of AOF file .* is not sane/);
          if (t.manifest) assert.match(plan.refused, /^the manifest is invalid/);
          if (t.cannotOpen) assert.ok(plan.refused.startsWith(`Cannot open file ${basename(t.cannotOpen.path)}: ${t.cannotOpen.reason}`), plan.refused);
        }
      });
    }
  });

  describe('--truncate-to-timestamp: same decision as redis-check-aof', () => {
    const dir = join(FIX, 'ok', 'multipart-resp-base-ts');
    for (const f of readdirSync(TRANSCRIPTS).filter((x) => x.startsWith('truncate-to-timestamp--'))) {
      it(f, () => {
        const t = transcript(f);
        const seconds = Number(t.args[1]);
        assert.equal(t.args[0], '--truncate-to-timestamp');
        const o = check(join(dir, 'appendonly.aof.manifest'));
        const plan = planForSet(o.set!, (file, r, last) => planTruncateToTimestamp(file, r, seconds, last), { kind: 'truncate-to-timestamp' });
        if (t.nothingBefore) {
          assert.equal(t.exit, 1);
          // redis-check-aof names the file by the path it was given; we name it by its manifest name.
          assert.deepEqual(plan, { refused: t.nothingBefore.replace(`${dirname(t.arg)}/`, '') });
        } else if (t.truncatedToTimestamp) {
          assert.equal(t.exit, 0);
          assert.ok('removals' in plan, JSON.stringify(plan));
          assert.equal(plan.file, t.truncatedToTimestamp);
          assert.equal(plan.newSize, t.incrSizeAfter);
          // The cut is at the start of the first `#TS:` line later than T.
          const bytes = readFileSync(join(dir, plan.file));
          assert.equal(bytes.subarray(plan.newSize, plan.newSize + 4).toString('latin1'), '#TS:');
          const ts = Number(/^#TS:(\d+)\r\n/.exec(bytes.subarray(plan.newSize).toString('latin1'))![1]);
          assert.ok(ts > seconds);
        } else {
          assert.equal(t.exit, 0);
          assert.deepEqual(t.truncateNothing, ['appendonly.aof.2.base.aof', 'appendonly.aof.2.incr.aof']);
          assert.ok('nothing' in plan, JSON.stringify(plan));
        }
      });
    }
  });

  describe("server-accepted / checker-rejected cases (and the reverse) carry the server's view", () => {
    it('aof-bad-crlf: invalid for redis-check-aof, the message says redis-server loads it', () => {
      const o = check(fixturePath('aof-bad-crlf.aof'));
      assert.equal(o.ok, false);
      const first = o.single!.problems.find((p) => p.severity === 'error')!;
      assert.equal(first.code, 'aof.bad-crlf-after-data');
      // The `\r\r` after "k6" (offset 101..102) is at 103; the checker reports the data start 0x65.
      assert.deepEqual({ offset: first.offset, checkerOffset: first.checkerOffset }, { offset: 103, checkerOffset: 0x65 });
      assert.match(first.message, /redis-server loads this anyway/);
    });

    it('aof-argc-zero: valid for redis-check-aof, with a warning that redis-server refuses it', () => {
      const o = check(fixturePath('aof-argc-zero.aof'));
      assert.equal(o.ok, true);
      const w = o.single!.problems.filter((p) => p.severity === 'warning');
      assert.deepEqual(
        w.map((p) => [p.code, p.offset, p.end]),
        [['aof.empty-command', 84, 88]],
      );
      assert.match(w[0]!.message, /redis-check-aof accepts it but redis-server refuses to load the file \("Bad file format"\)/);
    });

    it('aof-unknown-command: valid for redis-check-aof, with a warning that redis-server refuses it', () => {
      const o = check(fixturePath('aof-unknown-command.aof'));
      assert.equal(o.ok, true);
      const w = o.single!.problems.filter((p) => p.severity === 'warning');
      assert.deepEqual(
        w.map((p) => [p.code, p.offset, p.end]),
        [['aof.unknown-command', 84, 110]],
      );
      assert.match(w[0]!.message, /unknown command 'nosuchcmd': redis-server refuses to load the file/);
    });

    it('aof-exec-without-multi: invalid for redis-check-aof, the message says the server keeps loading', () => {
      const o = check(fixturePath('aof-exec-without-multi.aof'));
      const first = o.single!.problems.find((p) => p.severity === 'error')!;
      assert.equal(first.code, 'aof.exec-without-multi');
      assert.match(first.message, /redis-server logs the command error and keeps loading/);
    });

    // Our view agrees with every redis-server 7.0.15 load transcript (aof-load-truncated yes).
    const loads = readdirSync(TRANSCRIPTS)
      .filter((f) => f.startsWith('server-load--') && !f.includes('--aof-load-truncated-no'))
      .map((f) => f.slice('server-load--'.length, -'.txt'.length));
    for (const name of loads) {
      it(`server-load--${name}: our problems predict whether redis-server starts`, () => {
        const text = readFileSync(join(TRANSCRIPTS, `server-load--${name}.txt`), 'latin1');
        const started = text.includes('Ready to accept connections');
        const p = name.startsWith('mp-') ? join(fixturePath(name), 'appendonly.aof.manifest') : fixturePath(`${name}.aof`);
        const o = check(name === 'mp-manifest-empty' ? dirname(p) : p);
        let predicted: boolean;
        if (o.single) predicted = oursSaysServerLoads([{ result: o.single, last: true }]);
        else if (!o.set!.manifest.ok || o.set!.files.some((f) => f.openError)) predicted = false;
        else predicted = oursSaysServerLoads(o.set!.files.map((f) => ({ result: f.result!, last: f.last })));
        const said = (o.single ? o.single.problems : o.set!.files.flatMap((f) => f.result?.problems ?? [])).map((q) => `${q.code}: ${q.message}`);
        assert.equal(predicted, started, `redis-server ${started ? 'started' : 'refused'}; we said:\n  ${said.join('\n  ')}\n--- server log ---\n${text}`);
      });
    }
  });

  // The 0-byte manifest quirk. redis-check-aof 7.0.15 does not take a 0-byte
  // file for a manifest ("Start checking Old-Style AOF" / "AOF … is empty",
  // exit 0) while redis-server refuses the same directory ("Found an empty AOF
  // manifest"). We take both views, by what the user names: the manifest FILE
  // resolves to a single (empty, valid) AOF exactly as redis-check-aof sees it
  // (src/cli/target.ts: looksLikeManifest is false for 0 bytes); the
  // appendonlydir DIRECTORY resolves to a multi-part set, whose empty manifest
  // is a `manifest.empty` error (the server's view, src/core/aof/manifest.ts).
  describe('the 0-byte manifest', () => {
    const dir = join(FIX, 'err', 'mp-manifest-empty');
    const manifest = join(dir, 'appendonly.aof.manifest');

    it("as a file: redis-check-aof's view (an empty AOF, valid)", () => {
      const t = transcript('check-aof--mp-manifest-empty.txt');
      assert.deepEqual([t.exit, t.empty], [0, ['mp-manifest-empty/appendonly.aof.manifest']]);
      const o = check(manifest);
      assert.deepEqual(o.target, { kind: 'aof', path: manifest });
      assert.deepEqual([o.ok, o.single!.size, o.single!.validUpTo, o.single!.problems], [true, 0, 0, []]);
    });

    it("as a directory: redis-server's view (\"Found an empty AOF manifest\")", () => {
      const o = check(dir);
      assert.deepEqual(o.target, { kind: 'multipart', manifestPath: manifest, dir });
      assert.equal(o.ok, false);
      assert.deepEqual(
        o.set!.manifest.problems.map((p) => [p.code, p.offset, p.message]),
        [['manifest.empty', 0, 'Found an empty AOF manifest']],
      );
      assert.match(readFileSync(join(TRANSCRIPTS, 'server-load--mp-manifest-empty.txt'), 'latin1'), /Found an empty AOF manifest/);
    });

    it('the CLI: `check <manifest>` exits 0 (is empty), `check <dir>` exits 1 (manifest.empty)', () => {
      if (!existsSync(CLI)) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
      const asFile = spawnSync(process.execPath, [CLI, 'check', manifest], { encoding: 'utf8', timeout: 60000 });
      assert.equal(asFile.status, 0, asFile.stdout + asFile.stderr);
      assert.match(asFile.stdout, /AOF .*appendonly\.aof\.manifest is empty/);
      const asDir = spawnSync(process.execPath, [CLI, 'check', '--json', dir], { encoding: 'utf8', timeout: 60000 });
      assert.equal(asDir.status, 1, asDir.stdout + asDir.stderr);
      const j = JSON.parse(asDir.stdout) as { ok: boolean; problems: { code: string }[] };
      assert.deepEqual([j.ok, j.problems.map((p) => p.code)], [false, ['manifest.empty']]);
    });
  });
});
