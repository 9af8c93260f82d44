// Crash safety of `redis-inspect fix`: a kill at any point leaves either the original or the
// fixed file, never a broken one. The CLI's test hook `REDIS_INSPECT_FAULT=<step>` SIGKILLs the
// process at a named step; for each step, on a plain single-file AOF and on a multi-part set
// repaired with --drop-later-files, the state left behind must be the original or the fixed
// one (for the set: manifest + listed files form the original set or one redis-check-aof
// accepts), no temporary file may be listed in the manifest, nothing may be lost, and a rerun
// of `fix` must finish the job. A 64 MB AOF is also killed with a real external SIGKILL at
// random moments while `fix --yes` copies it.

import { strict as assert } from 'node:assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { populateAllTypes } from '../support/datasets.js';
import { redisAvailable, redisUnavailableReason, rewriteAof, startRedis } from '../support/redisServer.js';
import { mulberry32 } from '../support/prng.js';
import { runCli, type CliRun } from '../support/cli.js';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const CHECK_AOF = '/usr/bin/redis-check-aof';
const MANIFEST = 'appendonly.aof.manifest';
const STEPS = ['after-backup', 'during-copy', 'after-temp-write', 'before-rename', 'after-rename', 'after-manifest'] as const;
const TMP_NAME = /^\..+\.redis-inspect-\d+\.tmp$/;

/** The CLI (dist/cli.js); `fault` sets REDIS_INSPECT_FAULT (the process SIGKILLs itself at that step). */
function cli(args: string[], fault?: string): CliRun {
  return runCli(args, { from: 'dist', ...(fault ? { fault } : {}) });
}

function resp(...args: string[]): Buffer {
  return Buffer.from(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}



/** BASE/INCR file names a manifest lists, in load order. */
function listed(manifest: string): string[] {
  const entries = [...manifest.matchAll(/^file (\S+) seq \d+ type ([bi])$/gm)];
  return [...entries.filter((m) => m[2] === 'b'), ...entries.filter((m) => m[2] === 'i')].map((m) => m[1]!);
}

/** Every copy of `name` found in the backup folders under `dir` (recursively, one level of folders). */
function backupCopies(dir: string, name: string): Buffer[] {
  return fs
    .readdirSync(dir)
    .filter((d) => d.includes('redis-inspect-backup'))
    .map((d) => path.join(dir, d, name))
    .filter((p) => fs.existsSync(p))
    .map((p) => fs.readFileSync(p));
}

describe('fix crash safety: a kill at any point leaves the original or the fixed file', function () {
  this.timeout(60_000);
  let scratch = '';
  let counter = 0;
  // Single plain AOF: original (damaged tail) and the expected fixed bytes.
  let singleOriginal: Buffer;
  let singleFixed: Buffer;
  // Multi-part set with a damaged non-last INCR: file name -> bytes.
  let setOriginal: Map<string, Buffer>;
  let setFixed: Map<string, Buffer>;
  const INCR1 = 'appendonly.aof.1.incr.aof';
  const INCR2 = 'appendonly.aof.2.incr.aof';
  // With --drop-later-files the repaired INCR gets a new name, listed only by the new manifest.
  const REPAIRED = 'appendonly.aof.1.incr.repaired.aof';

  function freshDir(name: string): string {
    const d = path.join(scratch, `${++counter}-${name}`);
    fs.mkdirSync(d);
    return d;
  }

  before(async function () {
    if (!redisAvailable() || !fs.existsSync(CHECK_AOF)) {
      console.log(`    (skipped: ${redisUnavailableReason()} / redis-check-aof)`);
      this.skip();
    }
    if (!fs.existsSync(CLI)) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-aof-crash-'));

    // A legacy single-file plain AOF = RESP base + INCR of a set written with aof-use-rdb-preamble no.
    const plainDir = freshDir('plain-writer');
    const w = await startRedis({ dir: plainDir, appendonly: true, config: { 'aof-use-rdb-preamble': 'no', appendfsync: 'always' } });
    try {
      await populateAllTypes(w);
      await rewriteAof(w);
      await w.commands([['SET', 'after-rewrite', 'x'], ['SELECT', '3'], ['RPUSH', 'db3:list', 'a', 'b']]);
    } finally {
      await w.stop();
    }
    const aofDir = path.join(plainDir, 'appendonlydir');
    const names = listed(fs.readFileSync(path.join(aofDir, MANIFEST), 'utf8'));
    assert.match(names[0]!, /\.base\.aof$/);
    singleFixed = Buffer.concat(names.map((n) => fs.readFileSync(path.join(aofDir, n))));
    singleOriginal = Buffer.concat([singleFixed, resp('SET', 'torn', 'v'.repeat(200)).subarray(0, 60)]);

    // A set whose first of two INCR files ends in a torn command.
    const setDir = freshDir('set-writer');
    const markerValue = 'm'.repeat(100);
    const s = await startRedis({ dir: setDir, appendonly: true, config: { appendfsync: 'always' } });
    try {
      await populateAllTypes(s);
      await s.command('SET', 'marker:a', markerValue);
      await s.commands(Array.from({ length: 20 }, (_, i) => ['SET', `b:${i}`, `later ${i}`]));
    } finally {
      await s.stop();
    }
    const sd = path.join(setDir, 'appendonlydir');
    const manifest = fs.readFileSync(path.join(sd, MANIFEST), 'utf8');
    assert.deepEqual(listed(manifest), ['appendonly.aof.1.base.rdb', INCR1]);
    const all = fs.readFileSync(path.join(sd, INCR1));
    const marker = resp('SET', 'marker:a', markerValue);
    const markerAt = all.indexOf(marker);
    assert.ok(markerAt > 0);
    const split = markerAt + marker.length;
    const base = fs.readFileSync(path.join(sd, 'appendonly.aof.1.base.rdb'));
    setOriginal = new Map([
      [MANIFEST, Buffer.from(`${manifest}file ${INCR2} seq 2 type i\n`)],
      ['appendonly.aof.1.base.rdb', base],
      [INCR1, all.subarray(0, split - 40)],
      [INCR2, Buffer.concat([resp('SELECT', '0'), all.subarray(split)])],
    ]);
    setFixed = new Map([
      [MANIFEST, Buffer.from(manifest.replace(INCR1, REPAIRED))],
      ['appendonly.aof.1.base.rdb', base],
      [REPAIRED, all.subarray(0, markerAt)],
    ]);
  });

  after(function () {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  function checkAofAccepts(manifestPath: string): { ok: boolean; out: string } {
    const r = spawnSync(CHECK_AOF, [manifestPath], { encoding: 'utf8', input: '' });
    return { ok: r.status === 0, out: r.stdout + r.stderr };
  }

  describe('plain single-file AOF, fix --yes', function () {
    for (const step of STEPS) {
      it(`REDIS_INSPECT_FAULT=${step}`, function () {
        const dir = freshDir(`single-${step}`);
        const file = path.join(dir, 'appendonly.aof');
        fs.writeFileSync(file, singleOriginal);
        const r = cli(['fix', '--yes', file], step);
        if (step === 'after-manifest' || step === 'after-temp-write') {
          // A single file has no manifest and no renamed copy: the step is never reached and the repair completes.
          assert.equal(r.status, 0, r.stdout + r.stderr);
        } else {
          assert.equal(r.signal, 'SIGKILL', `killed at ${step} (status ${r.status}): ${r.stdout}${r.stderr}`);
        }
        const now = fs.readFileSync(file);
        assert.ok(now.equals(singleOriginal) || now.equals(singleFixed), `appendonly.aof is the original or the fixed file (size ${now.length}; original ${singleOriginal.length}, fixed ${singleFixed.length})`);
        if (step === 'after-rename' || step === 'after-manifest' || step === 'after-temp-write') assert.ok(now.equals(singleFixed), 'the rename happened: fixed');
        // Redis reads appendonly.aof only; anything else is the backup folder or our temp file.
        for (const f of fs.readdirSync(dir)) assert.ok(f === 'appendonly.aof' || f.includes('redis-inspect-backup') || TMP_NAME.test(f), `unexpected file ${f}`);
        // The original bytes are never lost: the file itself or its backup.
        assert.ok(now.equals(singleOriginal) || backupCopies(dir, 'appendonly.aof').some((b) => b.equals(singleOriginal)), 'original kept in the backup');

        const again = cli(['fix', '--yes', file]);
        assert.equal(again.status, 0, `a rerun finishes: ${again.stdout}${again.stderr}`);
        assert.ok(fs.readFileSync(file).equals(singleFixed), 'after the rerun: fixed');
        assert.equal(spawnSync(CHECK_AOF, [file], { encoding: 'utf8' }).status, 0, 'redis-check-aof accepts the result');
      });
    }
  });

  describe('multi-part set, damaged non-last INCR, fix --yes --drop-later-files', function () {
    for (const step of STEPS) {
      it(`REDIS_INSPECT_FAULT=${step}`, function () {
        const dataDir = freshDir(`set-${step}`);
        const dir = path.join(dataDir, 'appendonlydir');
        fs.mkdirSync(dir);
        for (const [n, b] of setOriginal) fs.writeFileSync(path.join(dir, n), b);
        const r = cli(['fix', '--yes', '--drop-later-files', dir], step);
        assert.equal(r.signal, 'SIGKILL', `killed at ${step} (status ${r.status}): ${r.stdout}${r.stderr}`);

        const manifest = fs.readFileSync(path.join(dir, MANIFEST), 'utf8');
        const names = listed(manifest);
        for (const n of names) {
          assert.ok(!TMP_NAME.test(n) && !n.includes('redis-inspect'), `the manifest lists a temporary file: ${n}`);
          assert.ok(fs.existsSync(path.join(dir, n)), `the manifest lists a missing file: ${n}`);
        }
        // The manifest lists either the untouched original INCR or the complete repaired one.
        const listedIncr = names.find((n) => n === INCR1 || n === REPAIRED)!;
        const incr1 = fs.readFileSync(path.join(dir, listedIncr));
        assert.ok(listedIncr === INCR1 ? incr1.equals(setOriginal.get(INCR1)!) : incr1.equals(setFixed.get(REPAIRED)!), `${listedIncr} is the original or the fixed file`);
        // Nothing lost: the original damaged INCR is in the dir or in the backup, byte-identical.
        const incr1Original = setOriginal.get(INCR1)!;
        const incr1Kept = (fs.existsSync(path.join(dir, INCR1)) && fs.readFileSync(path.join(dir, INCR1)).equals(incr1Original)) || backupCopies(dataDir, INCR1).some((b) => b.equals(incr1Original));
        assert.ok(incr1Kept, 'the original INCR survives');
        // Nothing lost: the later INCR is in the dir or in the backup, byte-identical.
        const incr2 = setOriginal.get(INCR2)!;
        const incr2Here = fs.existsSync(path.join(dir, INCR2)) && fs.readFileSync(path.join(dir, INCR2)).equals(incr2);
        assert.ok(incr2Here || backupCopies(dataDir, INCR2).some((b) => b.equals(incr2)), 'the later INCR survives');

        const state = new Map([[MANIFEST, Buffer.from(manifest)], ...names.map((n) => [n, fs.readFileSync(path.join(dir, n))] as const)]);
        const same = (want: Map<string, Buffer>): boolean => state.size === want.size && [...want].every(([n, b]) => state.get(n)?.equals(b) === true);
        const isOriginal = same(setOriginal);
        const isFixed = same(setFixed);
        const chk = checkAofAccepts(path.join(dir, MANIFEST));
        assert.ok(
          isOriginal || isFixed,
          `killed at ${step}: the set is neither the original nor the fixed one.\nmanifest:\n${manifest}${listedIncr}: ${incr1.length} bytes\nredis-check-aof:\n${chk.out}`,
        );

        const again = cli(['fix', '--yes', '--drop-later-files', dir]);
        assert.equal(again.status, 0, `a rerun finishes: ${again.stdout}${again.stderr}`);
        assert.equal(fs.readFileSync(path.join(dir, MANIFEST), 'utf8'), setFixed.get(MANIFEST)!.toString(), 'after the rerun: the fixed manifest');
        assert.ok(fs.readFileSync(path.join(dir, REPAIRED)).equals(setFixed.get(REPAIRED)!), 'after the rerun: the fixed INCR');
        assert.ok(checkAofAccepts(path.join(dir, MANIFEST)).ok, 'after the rerun: redis-check-aof accepts the set');
      });
    }
  });

  describe('64 MB AOF killed by an external SIGKILL while fix --yes copies', function () {
    let original: Buffer;
    let fixed: Buffer;

    before(function () {
      const v = 'x'.repeat(1000);
      const parts: Buffer[] = [resp('SELECT', '0')];
      for (let i = 0; i < 65_536; i++) parts.push(resp('SET', `key:${i}`, v));
      fixed = Buffer.concat(parts);
      original = Buffer.concat([fixed, resp('SET', 'torn', 'v'.repeat(100)).subarray(0, 40)]);
      assert.ok(original.length > 64 * 1024 * 1024);
    });

    it('leaves appendonly.aof original or fixed whenever it is killed', async function () {
      const rand = mulberry32(20_261_122);
      const outcomes: string[] = [];
      // Kills timed from the appearance of the temporary file (the copy into it), and a few at
      // random moments from the start (parsing, backups).
      const plans = [...Array.from({ length: 8 }, () => ({ afterTmp: true, ms: Math.floor(rand() * 250) })), ...Array.from({ length: 3 }, () => ({ afterTmp: false, ms: Math.floor(rand() * 900) }))];
      for (const [i, plan] of plans.entries()) {
        const dir = freshDir(`big-${i}`);
        const file = path.join(dir, 'appendonly.aof');
        fs.writeFileSync(file, original);
        const env = { ...process.env };
        delete env.REDIS_INSPECT_FAULT;
        const child = spawn(process.execPath, [CLI, 'fix', '--yes', file], { env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
        let done: { code: number | null; signal: NodeJS.Signals | null } | undefined;
        void exited.then((d) => (done = d));
        let sawTmp = false;
        if (plan.afterTmp) {
          const tmp = path.join(dir, `.appendonly.aof.redis-inspect-${child.pid}.tmp`);
          const deadline = Date.now() + 20_000;
          while (!done && !(sawTmp = fs.existsSync(tmp)) && Date.now() < deadline) await sleep(1);
        }
        await sleep(plan.ms);
        if (!done) child.kill('SIGKILL');
        const end = await exited;
        const now = fs.readFileSync(file);
        const which = now.equals(original) ? 'original' : now.equals(fixed) ? 'fixed' : 'BROKEN';
        outcomes.push(`${sawTmp ? 'tmp+' : ''}${plan.ms}ms: ${end.signal ?? `exit ${end.code}`} -> ${which}`);
        if (end.signal === null) assert.equal(end.code, 0, stderr);
        assert.notEqual(which, 'BROKEN', `kill ${i} (${outcomes[outcomes.length - 1]}): appendonly.aof is ${now.length} bytes, neither original nor fixed`);
        for (const f of fs.readdirSync(dir)) assert.ok(f === 'appendonly.aof' || f.includes('redis-inspect-backup') || TMP_NAME.test(f), `unexpected file ${f}`);
        fs.rmSync(dir, { recursive: true, force: true });
      }
      if (process.env.RPI_VERBOSE) console.log(outcomes);
      assert.ok(outcomes.some((o) => o.startsWith('tmp+') && o.includes('SIGKILL')), `at least one run was killed while copying into the temporary file: ${outcomes.join('; ')}`);
    });
  });
});
