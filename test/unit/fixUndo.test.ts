// `redis-inspect undo` / restoreBackup (src/cli/fix.ts): the inverse of a repair. After a fix and
// an undo the files are byte for byte the originals — a single AOF, and a multi-part set repaired
// with --drop-later-files (manifest, moved files, the renamed repaired file gone: the same
// directory listing and contents). An undo is refused when the files changed since the repair
// (unless forced, which saves the current files first), says "already restored" the second time,
// refuses an incomplete backup, and survives a kill at each of its steps: the set is then the
// repaired one or the original one, and a rerun finishes the job. The CLI runs from the sources
// (tsx), so a stale dist/ cannot hide a change.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BACKUP_RECORD, applyRepairPlan, planFor, readBackupRecord, RestoreError, restoreBackup, type BackupRecord } from '../../src/cli/fix.js';
import { resolveTarget } from '../../src/cli/target.js';
import { runCli, type CliRun } from '../support/cli.js';

const ROOT = path.join(__dirname, '..', '..');
const SINGLE = path.join(ROOT, 'test', 'fixtures', 'aof', 'err', 'aof-truncated-in-bulk.aof');
const SET = path.join(ROOT, 'test', 'fixtures', 'aof', 'err', 'mp-nonlast-incr-truncated');
const MANIFEST = 'appendonly.aof.manifest';
const INCR = 'appendonly.aof.2.incr.aof';
const LATER = 'appendonly.aof.3.incr.aof';
const REPAIRED = 'appendonly.aof.2.incr.repaired.aof';

/** The CLI (the sources); `fault` sets REDIS_INSPECT_FAULT (the process SIGKILLs itself at that step). */
function cli(args: string[], fault?: string): CliRun {
  return runCli(args, { from: 'src', ...(fault ? { fault } : {}) });
}

/** Every regular file of a directory (not its subfolders), name → bytes, sorted by name. */
function snapshot(dir: string): Map<string, Buffer> {
  return new Map(
    fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort()
      .map((n) => [n, fs.readFileSync(path.join(dir, n))] as const),
  );
}

function assertSameFiles(actual: Map<string, Buffer>, expected: Map<string, Buffer>, what: string): void {
  assert.deepEqual([...actual.keys()], [...expected.keys()], `${what}: the file names`);
  for (const [n, b] of expected) assert.ok(actual.get(n)!.equals(b), `${what}: ${n} differs (${actual.get(n)!.length} bytes, expected ${b.length})`);
}

function record(backup: string): BackupRecord {
  return JSON.parse(fs.readFileSync(path.join(backup, BACKUP_RECORD), 'utf8')) as BackupRecord;
}

function throwsRestore(f: () => unknown, code: RestoreError['code'], message: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof RestoreError, `a RestoreError, not ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

describe('undo of an AOF repair (restoreBackup, redis-inspect undo)', function () {
  this.timeout(120_000);
  let scratch = '';
  let counter = 0;
  const singleOriginal = fs.readFileSync(SINGLE);
  const setOriginal = snapshot(SET);

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-fix-undo-'));
  });
  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** A fresh copy of the damaged single AOF: { dir, file }. */
  function single(): { dir: string; file: string } {
    const dir = path.join(scratch, `${++counter}-single`);
    fs.mkdirSync(dir);
    const file = path.join(dir, 'appendonly.aof');
    fs.writeFileSync(file, singleOriginal);
    return { dir, file };
  }

  /** A fresh copy of the damaged set as <data>/appendonlydir: { data, dir }. */
  function set(): { data: string; dir: string } {
    const data = path.join(scratch, `${++counter}-set`);
    const dir = path.join(data, 'appendonlydir');
    fs.mkdirSync(dir, { recursive: true });
    for (const [n, b] of setOriginal) fs.writeFileSync(path.join(dir, n), b);
    return { data, dir };
  }

  /** Repairs in-process as `fix` does; returns the backup folder. */
  function repair(p: string, dropLaterFiles = false): string {
    const target = resolveTarget(p);
    const { outcome } = planFor(target, { kind: 'fix', dropLaterFiles, withFollowing: false });
    assert.ok('removals' in outcome, JSON.stringify(outcome));
    return applyRepairPlan(target, outcome).backup;
  }

  describe('a single AOF', () => {
    it('fix, then undo: the original, byte for byte; the backup folder stays, marked as restored', () => {
      const { dir, file } = single();
      const backup = repair(file);
      const fixed = fs.readFileSync(file);
      assert.ok(fixed.length < singleOriginal.length && singleOriginal.subarray(0, fixed.length).equals(fixed), 'the fix truncated the file');
      const before = snapshot(backup);
      const rec = record(backup);
      assert.equal(rec.version, 2);
      assert.equal(rec.target, 'aof');
      assert.equal(rec.dir, path.resolve(dir));
      assert.equal(rec.name, 'appendonly.aof');
      assert.equal(rec.after?.file, path.resolve(file));
      assert.equal(rec.after?.fingerprint.size, fixed.length);
      assert.equal(rec.originals['appendonly.aof']?.size, singleOriginal.length);

      const r = restoreBackup(backup);
      assert.deepEqual(r.restored, [path.resolve(file)]);
      assert.match(r.message, /restored appendonly\.aof/);
      assert.ok(fs.readFileSync(file).equals(singleOriginal), 'the original bytes are back');
      assert.deepEqual(fs.readdirSync(dir).sort(), ['appendonly.aof', path.basename(backup)].sort(), 'no temporary file left');
      // The backup folder is intact: the same files, and the record marked as restored.
      const afterUndo = snapshot(backup);
      for (const [n, b] of before) if (n !== BACKUP_RECORD) assert.ok(afterUndo.get(n)?.equals(b), `${n} kept in the backup`);
      assert.deepEqual([...afterUndo.keys()], [...before.keys()]);
      assert.equal(record(backup).restored?.forced, false);
      assert.deepEqual(record(backup).restored?.files, [path.resolve(file)]);
    });

    it('a second undo says "already restored" and writes nothing', () => {
      const { file } = single();
      const backup = repair(file);
      restoreBackup(backup);
      const mtime = fs.statSync(file).mtimeMs;
      const again = restoreBackup(backup);
      assert.deepEqual(again.restored, []);
      assert.match(again.message, /^already restored on \d{4}-/);
      assert.ok(fs.readFileSync(file).equals(singleOriginal));
      assert.equal(fs.statSync(file).mtimeMs, mtime, 'not rewritten');
      const r = cli(['undo', backup]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /already restored/);
    });

    it('refuses when the file changed after the repair (Redis appended to it), unless forced; forced, the current file is saved first', () => {
      const { file } = single();
      const backup = repair(file);
      const fixed = fs.readFileSync(file);
      const appended = Buffer.concat([fixed, Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n')]);
      fs.writeFileSync(file, appended);
      throwsRestore(() => restoreBackup(backup), 'ECHANGED', new RegExp(`appendonly\\.aof has ${appended.length} bytes, the repair left ${fixed.length} \\(appended to since\\?\\).*--force`));
      assert.ok(fs.readFileSync(file).equals(appended), 'untouched after the refusal');
      assert.equal(record(backup).restored, undefined);
      const r = cli(['undo', backup]);
      assert.equal(r.status, 1, 'exit 1: refused');
      assert.match(r.stderr, /refusing to undo: the files changed since the repair/);

      const forced = restoreBackup(backup, { force: true });
      assert.ok(fs.readFileSync(file).equals(singleOriginal), 'the original is back');
      const saved = record(backup).restored?.saved;
      assert.ok(saved && saved.startsWith(path.join(path.resolve(backup), 'replaced-by-undo-')), `saved in the backup folder: ${saved}`);
      assert.ok(fs.readFileSync(path.join(saved, 'appendonly.aof')).equals(appended), 'the appended file is kept');
      assert.match(forced.message, /the files it replaced are saved in/);
      assert.equal(record(backup).restored?.forced, true);
    });

    it('refuses a same-size change at the end of the file', () => {
      const { file } = single();
      const backup = repair(file);
      const changed = fs.readFileSync(file);
      changed[changed.length - 3] ^= 0x20;
      fs.writeFileSync(file, changed);
      throwsRestore(() => restoreBackup(backup), 'ECHANGED', /same size as the repair left but other bytes at its end/);
    });

    it('refuses an incomplete backup, an older record and a folder that is not a backup, without touching the file', () => {
      const { dir, file } = single();
      const backup = repair(file);
      const fixed = fs.readFileSync(file);
      const copy = path.join(backup, 'appendonly.aof');
      const saved = fs.readFileSync(copy);
      fs.truncateSync(copy, 10);
      throwsRestore(() => restoreBackup(backup), 'EBACKUP', new RegExp(`incomplete backup: appendonly\\.aof has 10 bytes, ${saved.length} were saved`));
      fs.rmSync(copy);
      throwsRestore(() => restoreBackup(backup), 'EBACKUP', /incomplete backup: appendonly\.aof is missing/);
      assert.ok(fs.readFileSync(file).equals(fixed));
      fs.writeFileSync(copy, saved);

      const rec = record(backup);
      fs.writeFileSync(path.join(backup, BACKUP_RECORD), JSON.stringify({ kind: rec.kind, file: rec.file, size: rec.size, newSize: rec.newSize, removals: rec.removals, dropFiles: [], at: rec.at }));
      throwsRestore(() => restoreBackup(backup), 'EBACKUP', /written by an older redis-inspect.*restore by hand/);
      throwsRestore(() => restoreBackup(dir), 'EBACKUP', /not a backup folder of redis-inspect fix/);
      throwsRestore(() => restoreBackup(path.join(dir, 'nope')), 'ENOENT', /no such backup folder/);
      const r = cli(['undo', dir]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /^redis-inspect: .*not a backup folder/);
      assert.equal(cli(['undo']).status, 2, 'usage error');
      assert.ok(fs.readFileSync(file).equals(fixed), 'never touched');
    });

    it('through the CLI: fix --yes prints the undo command, undo puts the original back', () => {
      const { file } = single();
      const fix = cli(['fix', '--yes', file]);
      assert.equal(fix.status, 0, fix.stderr);
      const m = /to undo: redis-inspect undo "([^"]+)"/.exec(fix.stdout);
      assert.ok(m, fix.stdout);
      const undo = cli(['undo', m[1]!]);
      assert.equal(undo.status, 0, undo.stderr);
      assert.match(undo.stdout, /^restored appendonly\.aof; the backup folder is kept: /);
      assert.ok(fs.readFileSync(file).equals(singleOriginal));
    });

    for (const step of ['before-rename', 'after-rename']) {
      it(`a kill at ${step} leaves the repaired or the original file; a rerun finishes`, () => {
        const { dir, file } = single();
        const backup = repair(file);
        const fixed = fs.readFileSync(file);
        const r = cli(['undo', backup], step);
        assert.equal(r.signal, 'SIGKILL', r.stdout + r.stderr);
        const now = fs.readFileSync(file);
        assert.ok(step === 'before-rename' ? now.equals(fixed) : now.equals(singleOriginal), `${step}: ${now.length} bytes`);
        const again = cli(['undo', backup]);
        assert.equal(again.status, 0, again.stderr);
        if (step === 'after-rename') assert.match(again.stdout, /already holds the original file/);
        assert.ok(fs.readFileSync(file).equals(singleOriginal));
        // A kill before the rename may leave our temporary file (as fix does); nothing else.
        for (const f of fs.readdirSync(dir)) assert.ok(f === 'appendonly.aof' || f === path.basename(backup) || /^\.appendonly\.aof\.redis-inspect-\d+\.tmp$/.test(f), `unexpected ${f}`);
        assert.ok(record(backup).restored);
      });
    }

    it('undo after a fix killed before its commit: the file is still the original, nothing to write', () => {
      const { dir, file } = single();
      const r = cli(['fix', '--yes', file], 'before-rename');
      assert.equal(r.signal, 'SIGKILL');
      assert.ok(fs.readFileSync(file).equals(singleOriginal));
      const backup = path.join(dir, fs.readdirSync(dir).find((f) => f.startsWith('redis-inspect-backup'))!);
      assert.ok(readBackupRecord(backup).after, 'the state after the repair is recorded before its commit');
      const u = restoreBackup(backup);
      assert.deepEqual(u.restored, []);
      assert.match(u.message, /already holds the original file/);
      assert.ok(fs.readFileSync(file).equals(singleOriginal));
    });
  });

  describe('a multi-part set repaired with --drop-later-files', () => {
    it('undo restores the manifest and the moved files and removes the renamed file: the same listing and bytes', () => {
      const { data, dir } = set();
      const backup = repair(dir, true);
      const fixed = snapshot(dir);
      assert.deepEqual([...fixed.keys()], ['appendonly.aof.2.base.aof', REPAIRED, MANIFEST]);
      assert.ok(fs.existsSync(path.join(backup, LATER)), 'the later file was moved to the backup');
      const rec = record(backup);
      assert.equal(rec.target, 'multipart');
      assert.equal(rec.manifest, path.resolve(dir, MANIFEST));
      assert.equal(rec.manifestName, MANIFEST);
      assert.equal(rec.renameTo, REPAIRED);
      assert.deepEqual(rec.dropFiles, [LATER]);
      assert.equal(rec.after?.file, path.resolve(dir, REPAIRED));
      assert.equal(rec.after?.manifest?.size, fixed.get(MANIFEST)!.length);

      const r = restoreBackup(backup);
      assert.deepEqual(r.restored, [LATER, INCR, MANIFEST].map((f) => path.resolve(dir, f)));
      assert.match(r.message, new RegExp(`removed ${REPAIRED.replace(/\./g, '\\.')}`));
      assertSameFiles(snapshot(dir), setOriginal, 'after the undo');
      assert.deepEqual(fs.readdirSync(dir).sort(), [...setOriginal.keys()].sort(), 'nothing else in the appendonlydir');
      assert.deepEqual(fs.readdirSync(data).sort(), ['appendonlydir', path.basename(backup)].sort());
      // The backup keeps every file, the moved one included.
      for (const f of [INCR, LATER, MANIFEST]) assert.ok(fs.readFileSync(path.join(backup, f)).equals(setOriginal.get(f)!), `${f} still in the backup`);
      assert.match(restoreBackup(backup).message, /^already restored/);
    });

    it('refuses when Redis appended to the repaired file or rewrote the manifest; forced, it saves them and leaves newer files in place', () => {
      const { dir } = set();
      const backup = repair(dir, true);
      const appended = Buffer.concat([fs.readFileSync(path.join(dir, REPAIRED)), Buffer.from('*1\r\n$4\r\nPING\r\n')]);
      fs.writeFileSync(path.join(dir, REPAIRED), appended);
      throwsRestore(() => restoreBackup(backup), 'ECHANGED', new RegExp(`${REPAIRED.replace(/\./g, '\\.')} has ${appended.length} bytes`));
      // As after Redis went on: new INCR files listed by a new manifest, one with the name of the file the repair moved out.
      const NEWEST = 'appendonly.aof.4.incr.aof';
      const manifest = `${fs.readFileSync(path.join(dir, MANIFEST), 'utf8')}file ${LATER} seq 3 type i\nfile ${NEWEST} seq 4 type i\n`;
      const newer = Buffer.from('*1\r\n$4\r\nPING\r\n');
      const newest = Buffer.from('*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n');
      fs.writeFileSync(path.join(dir, MANIFEST), manifest);
      fs.writeFileSync(path.join(dir, LATER), newer);
      fs.writeFileSync(path.join(dir, NEWEST), newest);
      throwsRestore(() => restoreBackup(backup), 'ECHANGED', /the manifest appendonly\.aof\.manifest has \d+ bytes/);
      assert.equal(fs.readFileSync(path.join(dir, MANIFEST), 'utf8'), manifest, 'untouched');

      const r = restoreBackup(backup, { force: true });
      assertSameFiles(snapshot(dir), new Map([...setOriginal, [NEWEST, newest] as const].sort(([a], [b]) => (a < b ? -1 : 1))), 'after a forced undo');
      assert.match(r.message, new RegExp(`left in place, no longer listed by the manifest: ${NEWEST.replace(/\./g, '\\.')}`));
      const saved = record(backup).restored!.saved!;
      assertSameFiles(
        snapshot(saved),
        new Map([
          [REPAIRED, appended],
          [LATER, newer],
          [MANIFEST, Buffer.from(manifest)],
        ]),
        'the replaced files, saved',
      );
      assert.match(r.message, /saved in/);
    });

    it('undo after a fix killed after its commit (the later file not yet moved) restores the set', () => {
      const { dir } = set();
      const r = cli(['fix', '--yes', '--drop-later-files', dir], 'after-manifest');
      assert.equal(r.signal, 'SIGKILL', r.stdout + r.stderr);
      const backup = path.join(path.dirname(dir), fs.readdirSync(path.dirname(dir)).find((f) => f.includes('redis-inspect-backup'))!);
      assert.ok(!fs.existsSync(path.join(backup, LATER)), 'killed before the move');
      const u = cli(['undo', backup]);
      assert.equal(u.status, 0, u.stderr);
      assertSameFiles(snapshot(dir), setOriginal, 'after the undo');
    });

    for (const step of ['before-rename', 'after-rename', 'undo-before-manifest', 'undo-after-manifest']) {
      it(`a kill at ${step} leaves the repaired set or the original one; a rerun finishes`, () => {
        const { dir } = set();
        const backup = repair(dir, true);
        const fixed = snapshot(dir);
        const r = cli(['undo', backup], step);
        assert.equal(r.signal, 'SIGKILL', r.stdout + r.stderr);
        // The manifest and the files it lists: exactly the repaired set or exactly the original one.
        const manifest = fs.readFileSync(path.join(dir, MANIFEST));
        const listed = [...manifest.toString('latin1').matchAll(/^file (\S+) seq/gm)].map((m) => m[1]!);
        const state = new Map([[MANIFEST, manifest], ...listed.map((n) => [n, fs.readFileSync(path.join(dir, n))] as const)]);
        const committed = step === 'undo-after-manifest';
        assertSameFiles(
          new Map([...state].sort(([a], [b]) => (a < b ? -1 : 1))),
          committed ? setOriginal : fixed,
          `killed at ${step}: the ${committed ? 'original' : 'repaired'} set`,
        );
        const again = cli(['undo', backup]);
        assert.equal(again.status, 0, again.stdout + again.stderr);
        if (committed) assert.match(again.stdout, /already holds the original set/);
        // The temporary file a kill before a rename leaves is the only other file.
        const left = snapshot(dir);
        for (const n of left.keys()) if (/^\..+\.redis-inspect-\d+\.tmp$/.test(n)) left.delete(n);
        assertSameFiles(left, setOriginal, `after the rerun (${step})`);
        assert.ok(record(backup).restored);
      });
    }
  });
});
