// `redisInspector.checkFile` in a real extension host: the command returns the
// CheckReport, and the problems land in the Problems panel on the right file
// and line. The workspace is the runner's temp copy of test/fixtures/rdb plus
// the AOF files it writes (scripts/e2e-run.mjs, writeAofFixtures).

import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { CheckReport } from '../../src/core/check.js';
import { activateExtension, fixture, ourDiagnostics, waitFor } from './helpers.js';

const HEALTHY_RDB = 'rdb/ok/dump-7.0.15-all-types.rdb';
const DAMAGED_RDB = 'rdb/err/rdb-listpack-bad-entry.rdb';
const TRUNCATED_AOF = 'aof/truncated.aof';
const BAD_FORMAT_AOF = 'aof/bad-format.aof';
const VALID_AOF = 'aof/valid.aof';
const SET_DIR = 'aof/appendonlydir';
const SET_MANIFEST = `${SET_DIR}/appendonly.aof.manifest`;
const SET_LAST_INCR = `${SET_DIR}/appendonly.aof.2.incr.aof`;

function check(uri: vscode.Uri): Thenable<CheckReport | undefined> {
  return vscode.commands.executeCommand<CheckReport | undefined>('redisInspector.checkFile', uri);
}

/** `0x1E1 (481)`, as formatOffset writes offsets. */
function offsetText(n: number): string {
  return `0x${n.toString(16).toUpperCase()} (${n})`;
}

/** 0-based line numbers of the lines that start a RESP command ('*'), from the file's text. */
async function commandLines(uri: vscode.Uri): Promise<number[]> {
  const text = new TextDecoder('latin1').decode(await vscode.workspace.fs.readFile(uri));
  return text
    .split('\n')
    .map((l, i) => (l.startsWith('*') ? i : -1))
    .filter((i) => i >= 0);
}

/** Waits until our diagnostics on uri include one with this code, and returns it. */
async function diagnosticWithCode(uri: vscode.Uri, code: string): Promise<vscode.Diagnostic> {
  const diags = await waitFor(
    () => ourDiagnostics(uri),
    (ds) => ds.some((d) => d.code === code),
    10_000,
    `a '${code}' diagnostic on ${vscode.workspace.asRelativePath(uri)}`,
  );
  return diags.find((d) => d.code === code)!;
}

function describeDiagnostics(uri: vscode.Uri): string {
  return JSON.stringify(ourDiagnostics(uri).map((d) => ({ code: d.code, line: d.range.start.line, message: d.message })));
}

describe('redisInspector.checkFile', () => {
  before(async () => {
    await activateExtension();
  });

  it('activates and registers the command', async () => {
    const ext = vscode.extensions.getExtension('redis-persistence-inspector.redis-persistence-inspector');
    assert.ok(ext?.isActive, 'extension is not active');
    assert.ok((await vscode.commands.getCommands(true)).includes('redisInspector.checkFile'));
  });

  describe('RDB', () => {
    it('a healthy RDB: report kind rdb, ok, 25 keys, no problems', async () => {
      const uri = fixture(HEALTHY_RDB);
      const report = await check(uri);
      assert.ok(report, 'the command returned no report');
      assert.equal(report.kind, 'rdb');
      if (report.kind !== 'rdb') return;
      assert.equal(report.summary.result.ok, true);
      assert.equal(report.summary.result.keys, 25);
      assert.equal(report.summary.result.checksum, 'ok');
      assert.deepEqual(ourDiagnostics(uri), []);
    });

    it('a damaged RDB: rdb.listpack.integrity error at 0x1E1 naming key hash:lp', async () => {
      const uri = fixture(DAMAGED_RDB);
      const report = await check(uri);
      assert.equal(report?.kind, 'rdb');
      if (report?.kind !== 'rdb') return;
      assert.equal(report.summary.result.ok, false);
      const d = await diagnosticWithCode(uri, 'rdb.listpack.integrity');
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      assert.ok(d.message.startsWith(`${offsetText(0x1e1)}:`), d.message);
      assert.match(d.message, /hash:lp/);
      // A binary file has no lines: the diagnostic sits at the top, the offset leads the message.
      assert.equal(d.range.start.line, 0);
    });
  });

  describe('plain AOF', () => {
    it('a valid AOF: report kind aof, ok, every command counted, no diagnostics', async () => {
      const uri = fixture(VALID_AOF);
      const report = await check(uri);
      assert.equal(report?.kind, 'aof');
      if (report?.kind !== 'aof') return;
      assert.equal(report.result.ok, true);
      assert.equal(report.result.commands, (await commandLines(uri)).length);
      assert.deepEqual(ourDiagnostics(uri), []);
    });

    it('a truncated last record: aof.truncated on the line that starts it', async () => {
      const uri = fixture(TRUNCATED_AOF);
      const size = (await vscode.workspace.fs.stat(uri)).size;
      const report = await check(uri);
      assert.equal(report?.kind, 'aof');
      assert.equal(report?.kind === 'aof' && report.result.ok, false);
      const d = await diagnosticWithCode(uri, 'aof.truncated');
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      const lines = await commandLines(uri);
      assert.equal(d.range.start.line, lines[lines.length - 1], describeDiagnostics(uri));
      // The file ends inside the record: the problem's offset is the file's size.
      assert.ok(d.message.startsWith(`${offsetText(size)}:`), d.message);
    });

    it('garbage between records: aof.format-error on the garbage line, not the file end', async () => {
      const uri = fixture(BAD_FORMAT_AOF);
      await check(uri);
      const d = await diagnosticWithCode(uri, 'aof.format-error');
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      const text = new TextDecoder('latin1').decode(await vscode.workspace.fs.readFile(uri));
      const garbageLine = text.split('\n').findIndex((l) => l.startsWith('GARBAGE'));
      assert.ok(garbageLine > 0);
      assert.equal(d.range.start.line, garbageLine, describeDiagnostics(uri));
    });
  });

  describe('multi-part AOF', () => {
    async function assertOnLastIncr(report: CheckReport | undefined): Promise<void> {
      assert.equal(report?.kind, 'aof-set');
      if (report?.kind !== 'aof-set') return;
      assert.equal(report.set.ok, false);
      assert.deepEqual(
        report.set.files.map((f) => f.name),
        ['appendonly.aof.1.base.aof', 'appendonly.aof.1.incr.aof', 'appendonly.aof.2.incr.aof'],
      );
      const incr = fixture(SET_LAST_INCR);
      const d = await diagnosticWithCode(incr, 'aof.truncated');
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      const lines = await commandLines(incr);
      assert.equal(d.range.start.line, lines[lines.length - 1], describeDiagnostics(incr));
      // Nothing is blamed on the manifest or the healthy files of the set.
      for (const other of [SET_MANIFEST, `${SET_DIR}/appendonly.aof.1.base.aof`, `${SET_DIR}/appendonly.aof.1.incr.aof`]) {
        assert.deepEqual(ourDiagnostics(fixture(other)).filter((x) => x.severity === vscode.DiagnosticSeverity.Error), [], other);
      }
    }

    it('checked through its manifest: the truncation is attached to the last INCR file', async () => {
      await assertOnLastIncr(await check(fixture(SET_MANIFEST)));
    });

    it('checked through its directory: same file, same line', async () => {
      await assertOnLastIncr(await check(fixture(SET_DIR)));
    });
  });
});
