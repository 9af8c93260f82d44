// The AOF text-editor support in a real extension host: live diagnostics
// (collection 'redis-aof') with exact ranges, hover, outline, folding,
// "Go to Byte Offset…", and a manifest's diagnostics and links. The files are
// written by scripts/e2e-workspace.mjs under aof/lang/ (their bytes and lines
// are spelled out there).

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { LineIndex } from '../../src/core/text/positions.js';
import { activateExtension, fixture, waitFor } from './helpers.js';

const SOURCE = 'redis-aof';

function aofDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

async function open(relative: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(fixture(relative));
  return vscode.window.showTextDocument(doc);
}

/** Waits for diagnostics with exactly these codes (in any order). */
async function diagnosticsWithCodes(uri: vscode.Uri, codes: string[]): Promise<vscode.Diagnostic[]> {
  const want = [...codes].sort().join(',');
  return waitFor(
    () => aofDiagnostics(uri),
    (ds) => ds.map((d) => String(d.code)).sort().join(',') === want,
    15_000,
    `diagnostics ${want} on ${vscode.workspace.asRelativePath(uri)}`,
  );
}

function rangeOf(d: vscode.Diagnostic | undefined): [number, number, number, number] {
  assert.ok(d, 'missing diagnostic');
  return [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character];
}

function byCode(ds: vscode.Diagnostic[], code: string): vscode.Diagnostic | undefined {
  return ds.find((d) => d.code === code);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

interface Outline {
  name: string;
  kind: vscode.SymbolKind;
  range: [number, number];
  children: Outline[];
}

function outline(symbols: vscode.DocumentSymbol[]): Outline[] {
  return symbols.map((s) => ({ name: s.name, kind: s.kind, range: [s.range.start.line, s.range.end.line], children: outline(s.children) }));
}

describe('AOF in the text editor', () => {
  before(async () => {
    await activateExtension();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  describe('positions: the editor counts lines and characters as core/text/positions.ts does', () => {
    it('a payload with é, a lone CR, an invalid byte and a lone LF', async () => {
      const editor = await open('aof/lang/text.aof');
      const doc = editor.document;
      assert.equal(doc.languageId, 'redis-aof');
      const bytes = new Uint8Array(readFileSync(doc.uri.fsPath));
      const index = LineIndex.fromBytes(bytes);
      // The lone CR is a line break for the editor, and 0xFF is one U+FFFD.
      assert.equal(doc.lineCount, 22);
      assert.equal(index.lineCount, doc.lineCount);
      for (let l = 0; l < doc.lineCount; l++) assert.equal(index.lineLength(l), doc.lineAt(l).text.length, `length of line ${l}`);
      assert.equal(doc.lineAt(11).text, 'é');
      assert.equal(doc.lineAt(12).text, '\ufffdx');
      assert.equal(doc.lineAt(13).text, 'y');
      assert.equal(doc.lineAt(16).text, 'SET');
      assert.equal(doc.lineAt(21).text, '');
      // No diagnostics: a valid AOF.
      await waitFor(
        () => Promise.resolve(vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(14, 0))),
        (h) => h.length > 0,
        10_000,
        'a hover',
      );
      assert.deepEqual(aofDiagnostics(doc.uri), []);
      // Offsets are the file's bytes, not the editor's text (whose lone CR and LF became CRLF).
      const after = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(14, 0)));
      assert.match(after, /SET after 1/);
      assert.match(after, /Offset 0x3A \(58\)/);
    });

    it('redisInspector.goToOffset moves the cursor to the byte (decimal or hex)', async () => {
      const editor = await open('aof/lang/text.aof');
      const cases: [number | string, number, number][] = [
        [58, 14, 0], // the record after the payload
        ['0x34', 12, 0], // the invalid byte
        [53, 12, 1], // 'x' after it
        [50, 11, 0], // inside é: its start
        [51, 11, 1], // the lone CR: the end of its line
        [54, 12, 2], // the lone LF
        [55, 13, 0],
        [89, 21, 0], // the end of the file
      ];
      for (const [arg, line, character] of cases) {
        await vscode.commands.executeCommand('redisInspector.goToOffset', arg);
        const active = vscode.window.activeTextEditor ?? editor;
        assert.deepEqual([active.selection.active.line, active.selection.active.character], [line, character], `offset ${arg}`);
        assert.ok(active.selection.isEmpty);
      }
    });
  });

  describe('diagnostics', () => {
    it('a truncated last record: aof.truncated over the record, and the verdict', async () => {
      const editor = await open('aof/lang/truncated.aof');
      const ds = await diagnosticsWithCodes(editor.document.uri, ['aof.truncated', 'aof.valid-up-to']);
      const t = byCode(ds, 'aof.truncated')!;
      assert.equal(t.severity, vscode.DiagnosticSeverity.Error);
      // The record starts at its '*3' (line 12) and ends where the file does, in "hel".
      assert.deepEqual(rangeOf(t), [12, 0, 18, 3]);
      assert.match(t.message, /^0x4D \(77\): the file ends inside argument 3 of 3: 5 bytes and CRLF announced, 3 left/);
      assert.match(t.message, /redis-check-aof reports 0x4a/);
      const v = byCode(ds, 'aof.valid-up-to')!;
      assert.equal(v.severity, vscode.DiagnosticSeverity.Information);
      assert.deepEqual(rangeOf(v), [12, 0, 18, 3]);
      assert.match(v.message, /valid up to offset 0x32 \(50\)/);
    });

    it('the same file checked in the worker thread (size threshold lowered) gets the same diagnostics', async () => {
      process.env.REDIS_INSPECTOR_AOF_WORKER_BYTES = '0';
      try {
        const editor = await open('aof/lang/truncated-worker.aof');
        const ds = await diagnosticsWithCodes(editor.document.uri, ['aof.truncated', 'aof.valid-up-to']);
        assert.deepEqual(rangeOf(byCode(ds, 'aof.truncated')), [12, 0, 18, 3]);
        assert.deepEqual(rangeOf(byCode(ds, 'aof.valid-up-to')), [12, 0, 18, 3]);
        assert.match(byCode(ds, 'aof.truncated')!.message, /^0x4D \(77\): the file ends inside argument 3/);
      } finally {
        delete process.env.REDIS_INSPECTOR_AOF_WORKER_BYTES;
      }
    });

    it('an unknown command and a trailing FLUSHALL: two warnings on their records, no verdict (valid)', async () => {
      const editor = await open('aof/lang/warnings.aof');
      const ds = await diagnosticsWithCodes(editor.document.uri, ['aof.unknown-command', 'aof.trailing-flush']);
      const u = byCode(ds, 'aof.unknown-command')!;
      assert.equal(u.severity, vscode.DiagnosticSeverity.Warning);
      assert.deepEqual(rangeOf(u), [12, 0, 16, 3]);
      assert.match(u.message, /^0x32 \(50\): unknown command 'foo'/);
      const f = byCode(ds, 'aof.trailing-flush')!;
      assert.equal(f.severity, vscode.DiagnosticSeverity.Warning);
      assert.deepEqual(rangeOf(f), [17, 0, 19, 8]);
      assert.match(f.message, /^0x48 \(72\): the last command is FLUSHALL/);
    });

    it('editing the text updates the diagnostics (debounced), reverting restores them', async () => {
      const editor = await open('aof/lang/warnings.aof');
      const uri = editor.document.uri;
      await diagnosticsWithCodes(uri, ['aof.unknown-command', 'aof.trailing-flush']);
      // Rename FOO to GET (same length): only the trailing FLUSHALL is left.
      const foo = editor.document.positionAt(editor.document.getText().indexOf('FOO'));
      await editor.edit((e) => e.replace(new vscode.Range(foo, foo.translate(0, 3)), 'GET'));
      await diagnosticsWithCodes(uri, ['aof.trailing-flush']);
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await diagnosticsWithCodes(uri, ['aof.unknown-command', 'aof.trailing-flush']);
    });
  });

  describe('reading aids', () => {
    it('hover inside SET k v: the command, its offset, length and DB', async () => {
      const editor = await open('aof/lang/truncated.aof');
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(9, 0));
      const text = hoverText(hovers);
      assert.match(text, /SET k v/);
      assert.match(text, /Offset 0x17 \(23\)/);
      assert.match(text, /length 27 bytes/);
      assert.match(text, /DB 0/);
      const r = hovers[0]!.range!;
      assert.deepEqual([r.start.line, r.start.character, r.end.line, r.end.character], [5, 0, 11, 1]);
    });

    it('hover in a transaction and after a #TS annotation: the MULTI and the date', async () => {
      const editor = await open('aof/lang/symbols.aof');
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(23, 0));
      const text = hoverText(hovers);
      assert.match(text, /SET x y/);
      assert.match(text, /transaction of the MULTI at 0x42 \(66\)/);
      assert.match(text, /#TS 2023-11-14T22:13:20Z/);
      const db1 = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(40, 1)));
      assert.match(db1, /SET k2 v2/);
      assert.match(db1, /DB 1/);
    });

    it('document symbols: DB groups, a MULTI … EXEC event, the commands', async () => {
      const editor = await open('aof/lang/symbols.aof');
      const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', editor.document.uri);
      const F = vscode.SymbolKind.Function;
      assert.deepEqual(outline(symbols), [
        {
          name: 'DB 0',
          kind: vscode.SymbolKind.Namespace,
          range: [1, 30],
          children: [
            { name: 'SELECT 0', kind: F, range: [1, 5], children: [] },
            { name: 'SET k v', kind: F, range: [6, 12], children: [] },
            {
              name: 'MULTI … EXEC',
              kind: vscode.SymbolKind.Event,
              range: [13, 30],
              children: [
                { name: 'MULTI', kind: F, range: [13, 15], children: [] },
                { name: 'INCR c', kind: F, range: [16, 20], children: [] },
                { name: 'SET x y', kind: F, range: [21, 27], children: [] },
                { name: 'EXEC', kind: F, range: [28, 30], children: [] },
              ],
            },
          ],
        },
        {
          name: 'DB 1',
          kind: vscode.SymbolKind.Namespace,
          range: [31, 42],
          children: [
            { name: 'SELECT 1', kind: F, range: [31, 35], children: [] },
            { name: 'SET k2 v2', kind: F, range: [36, 42], children: [] },
          ],
        },
      ]);
      assert.equal(symbols[0]!.detail, '6 commands');
      assert.equal(symbols[0]!.children[2]!.detail, '2 commands');
    });

    it('folding: one range per command, one per transaction', async () => {
      const editor = await open('aof/lang/symbols.aof');
      const ranges = await vscode.commands.executeCommand<vscode.FoldingRange[]>('vscode.executeFoldingRangeProvider', editor.document.uri);
      assert.deepEqual(
        ranges.map((r) => [r.start, r.end]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!),
        [[1, 5], [6, 12], [13, 30], [16, 20], [21, 27], [28, 30], [31, 35], [36, 42]],
      );
    });
  });

  describe('manifest', () => {
    const MANIFEST = 'aof/lang/appendonlydir/appendonly.aof.manifest';

    it('a listed file that does not exist: aof.cannot-open on its name', async () => {
      const editor = await open(MANIFEST);
      assert.equal(editor.document.languageId, 'redis-aof-manifest');
      const ds = await diagnosticsWithCodes(editor.document.uri, ['aof.cannot-open']);
      const d = ds[0]!;
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      assert.deepEqual(rangeOf(d), [2, 5, 2, 30]);
      assert.match(d.message, /Cannot open file appendonly\.aof\.2\.incr\.aof: No such file or directory \(listed at manifest line 3\)/);
    });

    it('document links to every listed file', async () => {
      const editor = await open(MANIFEST);
      const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', editor.document.uri);
      const dir = fixture('aof/lang/appendonlydir');
      assert.deepEqual(
        links.map((l) => [l.range.start.line, l.range.start.character, l.range.end.character, l.target?.toString()]),
        [
          [0, 5, 30, vscode.Uri.joinPath(dir, 'appendonly.aof.1.base.aof').toString()],
          [1, 5, 30, vscode.Uri.joinPath(dir, 'appendonly.aof.1.incr.aof').toString()],
          [2, 5, 30, vscode.Uri.joinPath(dir, 'appendonly.aof.2.incr.aof').toString()],
        ],
      );
    });
  });
});
