// The workspace folder the integration tests open: a throwaway copy of the RDB
// fixtures plus small AOF files written here from their exact bytes, so the
// tests (test/integration/*.test.ts) know what every byte and line is.
// Shared by scripts/e2e-run.mjs (code-server) and test/integration/runElectron.ts.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One RESP command as Redis writes it to an AOF: *argc, then $len + bytes per argument. */
export function resp(...args) {
  return Buffer.concat([
    Buffer.from(`*${args.length}\r\n`),
    ...args.map((a) => Buffer.concat([Buffer.from(`$${Buffer.byteLength(a)}\r\n`), Buffer.from(a), Buffer.from('\r\n')])),
  ]);
}

/**
 * The files the quick-fix and repair tests change (test/integration/aofQuickFix.test.ts,
 * test/unit/quickFixPlan.test.ts), by path relative to the workspace.
 */
export function quickFixFixtures() {
  const select = resp('SELECT', '0');
  const setB = resp('SET', 'b', 'hello');
  const cut = setB.subarray(0, setB.length - 4);
  return {
    // The last record ends inside its last argument: truncate at its '*3'.
    'aof/quickfix/truncated.aof': Buffer.concat([select, resp('SET', 'a', '1'), cut]),
    // Multi-byte UTF-8 in keys and values before the cut: byte offsets are not character offsets.
    'aof/quickfix/utf8-truncated.aof': Buffer.concat([select, resp('SET', 'clé', 'héllo ✓ 😀'), resp('SET', '𝄞', 'ü'), cut]),
    // A MULTI without EXEC at the end: remove from the MULTI on.
    'aof/quickfix/unclosed-multi.aof': Buffer.concat([select, resp('SET', 'a', '1'), resp('MULTI'), resp('SET', 'b', '2'), resp('INCR', 'x')]),
    // Valid, but the last command empties the server.
    'aof/quickfix/trailing-flush.aof': Buffer.concat([select, resp('SET', 'a', '1'), resp('SET', 'b', '2'), resp('FLUSHALL')]),
    // A lone '\n' inside a value (valid RESP, length-prefixed) and a truncated tail: a text model
    // would write that '\n' back as '\r\n', so no text edit may repair it.
    'aof/quickfix/lone-lf.aof': Buffer.concat([select, resp('SET', 'a', 'x\ny'), cut]),
    // A multi-part set whose last INCR file is truncated, repaired through its manifest.
    'aof/quickfix/set/appendonly.aof.manifest': Buffer.from(
      'file appendonly.aof.1.base.aof seq 1 type b\n' + 'file appendonly.aof.1.incr.aof seq 1 type i\n',
    ),
    'aof/quickfix/set/appendonly.aof.1.base.aof': Buffer.concat([select, resp('SET', 'base', 'v')]),
    'aof/quickfix/set/appendonly.aof.1.incr.aof': Buffer.concat([select, resp('INCR', 'x'), cut]),
  };
}

/** The AOF files, by path relative to the workspace. */
export function aofFixtures() {
  const select = resp('SELECT', '0');
  const setB = resp('SET', 'b', 'hello');
  return {
    // Healthy: four commands.
    'aof/valid.aof': Buffer.concat([select, resp('SET', 'a', '1'), resp('RPUSH', 'list', 'x', 'y'), resp('INCR', 'counter')]),
    // The last record ends inside its last argument ("hel" of "hello"): aof.truncated, on the line of its '*3'.
    'aof/truncated.aof': Buffer.concat([select, resp('SET', 'a', '1'), setB.subarray(0, setB.length - 4)]),
    // A line of garbage between two records: aof.format-error on the GARBAGE line.
    'aof/bad-format.aof': Buffer.concat([select, resp('SET', 'a', '1'), Buffer.from('GARBAGE\r\n'), resp('SET', 'c', '2')]),
    // Multi-part (Redis 7 appendonlydir): a base, then two INCR files; the last one is truncated.
    'aof/appendonlydir/appendonly.aof.manifest': Buffer.from(
      'file appendonly.aof.1.base.aof seq 1 type b\n' +
        'file appendonly.aof.1.incr.aof seq 1 type i\n' +
        'file appendonly.aof.2.incr.aof seq 2 type i\n',
    ),
    'aof/appendonlydir/appendonly.aof.1.base.aof': Buffer.concat([select, resp('SET', 'base', 'v')]),
    'aof/appendonlydir/appendonly.aof.1.incr.aof': Buffer.concat([select, resp('SET', 'x', '1')]),
    'aof/appendonlydir/appendonly.aof.2.incr.aof': Buffer.concat([select, resp('INCR', 'x'), setB.subarray(0, setB.length - 4)]),
    // The AOF language support (test/integration/aofLanguage.test.ts): every byte and line of these is known there.
    // A truncated last record (lines 12–18, ending in "hel"), after SET k v (offset 23, lines 5–11).
    'aof/lang/truncated.aof': Buffer.concat([select, resp('SET', 'k', 'v'), setB.subarray(0, setB.length - 4)]),
    // The same bytes, checked in the worker when the size threshold is lowered.
    'aof/lang/truncated-worker.aof': Buffer.concat([select, resp('SET', 'k', 'v'), setB.subarray(0, setB.length - 4)]),
    // Valid for redis-check-aof, but an unknown command (lines 12–16) and a trailing FLUSHALL (lines 17–19).
    'aof/lang/warnings.aof': Buffer.concat([select, resp('SET', 'k', 'v'), resp('FOO', 'bar'), resp('FLUSHALL')]),
    // A #TS annotation, two DBs and a transaction, for the outline, folding and hover.
    'aof/lang/symbols.aof': Buffer.concat([
      Buffer.from('#TS:1700000000\r\n'),
      select,
      resp('SET', 'k', 'v'),
      resp('MULTI'),
      resp('INCR', 'c'),
      resp('SET', 'x', 'y'),
      resp('EXEC'),
      resp('SELECT', '1'),
      resp('SET', 'k2', 'v2'),
    ]),
    // A payload of é, a lone CR, an invalid byte, a lone LF: the editor's lines and characters versus bytes.
    'aof/lang/text.aof': Buffer.concat([select, resp('SET', 'bin', Buffer.from([0xc3, 0xa9, 0x0d, 0xff, 0x78, 0x0a, 0x79])), resp('SET', 'after', '1')]),
    // A manifest whose second INCR file is missing.
    'aof/lang/appendonlydir/appendonly.aof.manifest': Buffer.from(
      'file appendonly.aof.1.base.aof seq 1 type b\n' +
        'file appendonly.aof.1.incr.aof seq 1 type i\n' +
        'file appendonly.aof.2.incr.aof seq 2 type i\n',
    ),
    'aof/lang/appendonlydir/appendonly.aof.1.base.aof': Buffer.concat([select, resp('SET', 'base', 'v')]),
    'aof/lang/appendonlydir/appendonly.aof.1.incr.aof': Buffer.concat([select, resp('SET', 'x', '1')]),
    ...quickFixFixtures(),
  };
}

/** The truncated command appended to the large AOF: SET b hello, cut inside "hello". */
function largeAofTail() {
  const setB = resp('SET', 'b', 'hello');
  return setB.subarray(0, setB.length - 4);
}

/**
 * With E2E_LARGE_AOF=<path of a valid plain AOF> (bench/vscode-large.mjs writes a
 * ~200 MB one): aof/large/large.aof is a copy of it with largeAofTail() appended, and
 * aof/large/large.json says { source, validSize, size } (test/integration/aofLarge.test.ts).
 */
function addLargeAof(ws, source) {
  const dir = path.join(ws, 'aof', 'large');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'large.aof');
  fs.copyFileSync(source, file);
  const validSize = fs.statSync(file).size;
  fs.appendFileSync(file, largeAofTail());
  const size = fs.statSync(file).size;
  fs.writeFileSync(path.join(dir, 'large.json'), `${JSON.stringify({ source: path.resolve(source), validSize, size }, null, 2)}\n`);
}

/** CRC-64/Jones as Redis computes it (reflected, init 0): the RDB trailer. */
function crc64Jones(bytes) {
  let crc = 0n;
  for (const b of bytes) {
    crc ^= BigInt(b);
    for (let i = 0; i < 8; i++) crc = crc & 1n ? (crc >> 1n) ^ 0x95ac9329ac4bc9b5n : crc >> 1n;
  }
  return crc;
}

/** A minimal RDB 11 file of string keys in db 0, in the given order (keys and values under 64 bytes). */
export function stringRdb(pairs) {
  const parts = [Buffer.from('REDIS0011'), Buffer.from([0xfe, 0x00])];
  for (const [k, v] of pairs) {
    for (const s of [k, v]) if (Buffer.byteLength(s) >= 64) throw new Error(`stringRdb: ${s} is too long`);
    parts.push(Buffer.from([0x00, Buffer.byteLength(k)]), Buffer.from(k), Buffer.from([Buffer.byteLength(v)]), Buffer.from(v));
  }
  parts.push(Buffer.from([0xff]));
  const body = Buffer.concat(parts);
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64Jones(body));
  return Buffer.concat([body, crc]);
}

/**
 * The readable snapshot diff (test/integration/snapshotDiff.test.ts): two small RDBs with
 * the same keys but user:2 changed ("bob" → "robert") and a different key order, and the
 * data of after.rdb as a plain AOF and as a multi-part set (base + INCR), by path relative
 * to the workspace.
 */
export function snapshotFixtures() {
  const select = resp('SELECT', '0');
  return {
    'snapshot/before.rdb': stringRdb([['user:1', 'alice'], ['user:2', 'bob'], ['counter', '1']]),
    'snapshot/after.rdb': stringRdb([['counter', '1'], ['user:2', 'robert'], ['user:1', 'alice']]),
    'snapshot/after.aof': Buffer.concat([select, resp('SET', 'user:2', 'bob'), resp('SET', 'counter', '1'), resp('SET', 'user:1', 'alice'), resp('SET', 'user:2', 'robert')]),
    'snapshot/aofset/appendonly.aof.manifest': Buffer.from('file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n'),
    'snapshot/aofset/appendonly.aof.1.base.aof': Buffer.concat([select, resp('SET', 'user:1', 'alice'), resp('SET', 'user:2', 'bob')]),
    'snapshot/aofset/appendonly.aof.1.incr.aof': Buffer.concat([select, resp('INCR', 'counter'), resp('SET', 'user:2', 'robert')]),
  };
}

/** The AOF of snapshot/repo: the data of before.rdb committed; the working tree appends the change to user:2. */
function backupAof() {
  const committed = Buffer.concat([resp('SELECT', '0'), resp('SET', 'user:1', 'alice'), resp('SET', 'user:2', 'bob'), resp('SET', 'counter', '1')]);
  return { committed, changed: Buffer.concat([committed, resp('SET', 'user:2', 'robert')]) };
}

/**
 * The custom editor (test/integration/editor.test.ts), by path relative to the
 * workspace: hostile key names, a truncated AOF to repair and undo, and copies of
 * the hybrid and multi-part fixtures of test/fixtures/aof.
 */
export function editorFixtures(root) {
  const fromFixtures = (rel) => fs.readFileSync(path.join(root, 'test', 'fixtures', ...rel.split('/')));
  const setB = resp('SET', 'b', 'hello');
  const out = {
    'editor/hostile.rdb': stringRdb([
      ['<img src=x onerror=alert(1)>', '<script>alert(2)</script>'],
      ['user:1', 'alice'],
      ['"quoted" & <b>bold</b>', 'x'],
    ]),
    // Truncated inside "hello": the editor offers the repairs, applies one, undoes it.
    'editor/repair/truncated.aof': Buffer.concat([resp('SELECT', '0'), resp('SET', 'a', '1'), setB.subarray(0, setB.length - 4)]),
    'editor/hybrid-truncated-tail.aof': fromFixtures('aof/err/aof-hybrid-truncated-tail.aof'),
  };
  const dir = path.join(root, 'test', 'fixtures', 'aof', 'ok', 'multipart-rdb-base-ts');
  for (const f of fs.readdirSync(dir)) out[`editor/appendonlydir/${f}`] = fs.readFileSync(path.join(dir, f));
  return out;
}

/**
 * snapshot/repo: a git repository whose commit holds before.rdb as backup.rdb, then
 * backup.rdb overwritten with after.rdb (uncommitted): "Open Changes" shows user:2 changed;
 * the same for backup.aof, whose working-tree version has one more command.
 * Skipped (with a warning) when the git CLI is missing; the test then says so.
 */
function addSnapshotRepo(ws) {
  const repo = path.join(ws, 'snapshot', 'repo');
  const fixtures = snapshotFixtures();
  fs.mkdirSync(repo, { recursive: true });
  const git = (...args) =>
    execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], {
      cwd: repo,
      stdio: 'pipe',
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
    });
  try {
    git('init', '-q');
    fs.writeFileSync(path.join(repo, 'backup.rdb'), fixtures['snapshot/before.rdb']);
    fs.writeFileSync(path.join(repo, 'backup.aof'), backupAof().committed);
    git('add', 'backup.rdb', 'backup.aof');
    git('commit', '-q', '-m', 'backup');
    fs.writeFileSync(path.join(repo, 'backup.rdb'), fixtures['snapshot/after.rdb']);
    fs.writeFileSync(path.join(repo, 'backup.aof'), backupAof().changed);
  } catch (e) {
    console.warn(`e2e-workspace: no git repository for the snapshot diff test (${e.message.split('\n')[0]})`);
    fs.rmSync(repo, { recursive: true, force: true });
  }
}

/**
 * Creates dest (must not exist yet) with rdb/ok and rdb/err copied from
 * test/fixtures/rdb and the AOF files above (and the large AOF with
 * E2E_LARGE_AOF set); returns dest's absolute path.
 */
export function prepareWorkspace(root, dest) {
  const ws = path.resolve(dest);
  fs.mkdirSync(ws, { recursive: true });
  for (const sub of ['ok', 'err']) {
    fs.cpSync(path.join(root, 'test', 'fixtures', 'rdb', sub), path.join(ws, 'rdb', sub), {
      recursive: true,
      filter: (src) => !src.endsWith('.json'),
    });
  }
  for (const [rel, bytes] of Object.entries(aofFixtures())) {
    const file = path.join(ws, ...rel.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
  }
  for (const [rel, bytes] of Object.entries({ ...snapshotFixtures(), ...editorFixtures(root) })) {
    const file = path.join(ws, ...rel.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
  }
  addSnapshotRepo(ws);
  if (process.env.E2E_LARGE_AOF) addLargeAof(ws, process.env.E2E_LARGE_AOF);
  return ws;
}
