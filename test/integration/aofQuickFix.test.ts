// AOF quick fixes and the repair command in a real extension host, on the
// workspace copies scripts/e2e-workspace.mjs writes under aof/quickfix/: the
// code actions come from vscode.executeCodeActionProvider, their edits are
// applied with workspace.applyEdit and saved, and the bytes on disk must be
// exactly what the repair plan leaves (for the truncate fix: the first
// validUpTo bytes, which test/unit/quickFixPlan.test.ts shows equal to what
// redis-check-aof --fix leaves); undo + save must give back the original bytes.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseAof, type AofResult } from '../../src/core/aof/aofParser.js';
import { MemorySource } from '../../src/core/bytes/byteSource.js';
import { activateExtension, fixture, waitFor } from './helpers.js';

const TRUNCATE_TITLE = 'Truncate at the last valid command (as redis-check-aof --fix)';
const STRIP_MULTI_TITLE = 'Remove the unclosed MULTI block';
const REMOVE_FLUSH_TITLE = /^Remove the trailing FLUSHALL \(restore the data set as it was before the flush\)$/;

function readBytes(uri: vscode.Uri): Buffer {
  return fs.readFileSync(uri.fsPath);
}

function parse(bytes: Buffer): AofResult {
  return parseAof(new MemorySource(new Uint8Array(bytes)));
}

/** Opens the file as a `redis-aof` document in an editor (the undo command needs one). */
async function open(uri: vscode.Uri): Promise<vscode.TextDocument> {
  let doc = await vscode.workspace.openTextDocument(uri);
  if (doc.languageId !== 'redis-aof') doc = await vscode.languages.setTextDocumentLanguage(doc, 'redis-aof');
  await vscode.window.showTextDocument(doc);
  return doc;
}

/** The quick fixes offered on `range` (source actions left out). */
async function quickFixes(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const all = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range)) ?? [];
  return all.filter((a) => a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind));
}

/** Every code action ours offers on the whole document, quick fixes and source actions. */
async function allActions(doc: vscode.TextDocument): Promise<vscode.CodeAction[]> {
  const whole = new vscode.Range(0, 0, doc.lineCount, 0);
  const quick = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, whole)) ?? [];
  const source = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, whole, vscode.CodeActionKind.Source.value)) ?? [];
  return [...quick, ...source];
}

function actionsText(actions: vscode.CodeAction[]): string {
  return JSON.stringify(actions.map((a) => ({ title: a.title, kind: a.kind?.value, preferred: a.isPreferred, edit: !!a.edit, command: a.command?.command })));
}

/** The line holding byte `offset` of an ASCII-lined file (lines end in '\n'). */
function lineOf(bytes: Buffer, offset: number): number {
  let line = 0;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/**
 * Applies the fix titled `title` offered at the line of byte `at`, saves, and
 * checks the bytes on disk against `expected`; then undo + save must restore
 * the original bytes.
 */
async function applyAndUndo(rel: string, title: string | RegExp, at: (r: AofResult) => number, expected: (bytes: Buffer, r: AofResult) => Buffer): Promise<void> {
  const uri = fixture(rel);
  const original = readBytes(uri);
  const r = parse(original);
  const doc = await open(uri);
  assert.ok(Buffer.from(doc.getText(), 'utf8').equals(original), 'the fixture is text-safe');
  const line = lineOf(original, at(r));
  const actions = await waitFor(
    () => quickFixes(uri, new vscode.Range(line, 0, line, 0)),
    (as) => as.some((a) => (typeof title === 'string' ? a.title === title : title.test(a.title))),
    10_000,
    `the quick fix '${String(title)}' on ${rel}`,
  );
  const fix = actions.find((a) => (typeof title === 'string' ? a.title === title : title.test(a.title)))!;
  assert.equal(fix.isPreferred, true, `preferred: ${actionsText(actions)}`);
  assert.equal(actions[0], fix, `the preferred fix comes first: ${actionsText(actions)}`);
  assert.ok(fix.edit, 'a WorkspaceEdit');
  assert.ok(await vscode.workspace.applyEdit(fix.edit));
  assert.ok(await doc.save(), 'saved');
  const want = expected(original, r);
  const got = readBytes(uri);
  assert.ok(got.equals(want), `bytes after the fix: ${JSON.stringify(got.toString('latin1'))}, expected ${JSON.stringify(want.toString('latin1'))}`);
  assert.equal(parse(got).ok, true, 'the repaired file is valid');

  // Undo + save: the original, byte for byte.
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('undo');
  assert.ok(await doc.save(), 'saved after undo');
  const back = readBytes(uri);
  assert.ok(back.equals(original), `bytes after undo: ${JSON.stringify(back.toString('latin1'))}`);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
}

describe('AOF quick fixes and repairs', () => {
  before(async () => {
    await activateExtension();
  });

  it('registers redisInspector.repairAof', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes('redisInspector.repairAof'));
  });

  for (const rel of ['aof/quickfix/truncated.aof', 'aof/quickfix/utf8-truncated.aof']) {
    it(`${rel}: the truncate fix leaves the first validUpTo bytes (redis-check-aof --fix's result); undo restores the file`, async () => {
      await applyAndUndo(
        rel,
        TRUNCATE_TITLE,
        (r) => r.validUpTo,
        (bytes, r) => bytes.subarray(0, r.validUpTo),
      );
    });
  }

  it('an unclosed MULTI: the fix removes the block from its MULTI on; undo restores the file', async () => {
    await applyAndUndo(
      'aof/quickfix/unclosed-multi.aof',
      STRIP_MULTI_TITLE,
      (r) => r.validUpTo,
      (bytes, r) => {
        assert.equal(r.openMulti, true);
        const multi = bytes.indexOf('*1\r\n$5\r\nMULTI\r\n');
        assert.equal(r.validUpTo, multi);
        return bytes.subarray(0, multi);
      },
    );
  });

  it('a trailing FLUSHALL: the fix removes exactly that record; undo restores the file', async () => {
    await applyAndUndo(
      'aof/quickfix/trailing-flush.aof',
      REMOVE_FLUSH_TITLE,
      (r) => r.trailingFlush!.start,
      (bytes, r) => {
        assert.equal(r.ok, true);
        const flush = r.trailingFlush!;
        return Buffer.concat([bytes.subarray(0, flush.removeStart), bytes.subarray(flush.removeEnd)]);
      },
    );
  });

  it('a lone \\n inside a value: no text edit is offered; the repair command fixes the file on disk with a backup', async () => {
    const uri = fixture('aof/quickfix/lone-lf.aof');
    const original = readBytes(uri);
    const r = parse(original);
    assert.equal(r.ok, false);
    const doc = await open(uri);
    assert.equal(Buffer.from(doc.getText(), 'utf8').equals(original), false, 'the text model does not round-trip these bytes');
    const actions = await waitFor(
      () => allActions(doc),
      (as) => as.some((a) => a.command?.command === 'redisInspector.repairAof'),
      10_000,
      'a command-based repair on lone-lf.aof',
    );
    assert.deepEqual(
      actions.filter((a) => a.edit),
      [],
      `no WorkspaceEdit: ${actionsText(actions)}`,
    );

    const result = await vscode.commands.executeCommand<{ backup?: string; resultFile?: string; message?: string }>('redisInspector.repairAof', {
      uri,
      kind: 'fix',
      yes: true,
    });
    assert.ok(result?.backup, `the command returned ${JSON.stringify(result)}`);
    assert.equal(result.resultFile, uri.fsPath);
    assert.ok(readBytes(uri).equals(original.subarray(0, r.validUpTo)), 'the first validUpTo bytes on disk');
    assert.ok(fs.readFileSync(path.join(result.backup, 'lone-lf.aof')).equals(original), 'the original is in the backup');
    assert.ok(fs.existsSync(path.join(result.backup, `lone-lf.aof.removed-${r.validUpTo}-${original.length}`)), 'the removed bytes are in the backup');
    // The open document follows the file.
    await waitFor(
      () => doc.getText().length,
      (n) => n < original.length - 3,
      10_000,
      'the document to reload the repaired file',
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('a multi-part set: the repair command through the manifest truncates the last INCR file', async () => {
    const manifest = fixture('aof/quickfix/set/appendonly.aof.manifest');
    const incr = fixture('aof/quickfix/set/appendonly.aof.1.incr.aof');
    const original = readBytes(incr);
    const r = parse(original);
    const result = await vscode.commands.executeCommand<{ backup?: string; resultFile?: string }>('redisInspector.repairAof', { uri: manifest, kind: 'fix', yes: true });
    assert.ok(result?.backup, JSON.stringify(result));
    assert.equal(result.resultFile, incr.fsPath);
    assert.ok(readBytes(incr).equals(original.subarray(0, r.validUpTo)));
    assert.ok(fs.readFileSync(path.join(result.backup, 'appendonly.aof.1.incr.aof')).equals(original));
    // The backup of a set goes beside the appendonlydir, not into it.
    assert.equal(path.dirname(result.backup), path.dirname(path.dirname(incr.fsPath)));
  });
});
