// The custom editor in a real VS Code, in a real browser: each fixture kind
// opens in it, the rows the user sees (read back from the webview — through
// its test hook and, for what must be checked in the DOM itself, by the
// runner's Playwright) show the file's content, search finds keys, a big
// value pages, damage is marked at its offset (webview and Problems panel),
// a repair is applied and undone, hostile key names stay text, and each kind
// is photographed in a light and a dark theme (out/editor-*.png).

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/extension.js';
import type { Overview, RenderedState, TestAction } from '../../src/protocol/editor.js';
import { activateExtension, askBrowser, browserAvailable, fixture, ourDiagnostics, waitFor } from './helpers.js';

const VIEW = 'redisInspector.editor';
const AOF_VIEW = 'redisInspector.aofEditor';
const ALL_TYPES = 'rdb/ok/dump-7.0.15-all-types.rdb';
const DAMAGED_RDB = 'rdb/err/rdb-listpack-bad-entry.rdb';
const HYBRID = 'editor/hybrid-truncated-tail.aof';
const MANIFEST = 'editor/appendonlydir/appendonly.aof.manifest';
const REPAIR = 'editor/repair/truncated.aof';
const HOSTILE = 'editor/hostile.rdb';

let api: ExtensionApi;

async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Opens `rel` in the editor and waits until it is indexed and its webview has drawn the tree. */
async function open(rel: string, view = VIEW, options: vscode.TextDocumentShowOptions = {}): Promise<{ uri: vscode.Uri; overview: Overview; state: RenderedState }> {
  const uri = fixture(rel);
  await vscode.commands.executeCommand('vscode.openWith', uri, view, options);
  const overview = await waitFor(() => api.editor.overview(uri), (o) => !!o && o.index.done, 30_000, `${rel} indexed`);
  await waitFor(() => api.editor.panels.has(uri.toString()), (v) => v, 10_000, `${rel}'s panel`);
  const state = await act(uri, { kind: 'snapshot' });
  return { uri, overview: overview!, state };
}

/** Asks the webview to act as the user would; retries once while it boots. */
async function act(uri: vscode.Uri, action: TestAction): Promise<RenderedState> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.editor.act(uri, action, 15_000);
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

function rowWith(state: RenderedState, text: string): string {
  const row = state.rows.find((r) => r.includes(text));
  assert.ok(row, `no row with ${JSON.stringify(text)} among:\n${state.rows.join('\n')}`);
  return row;
}

async function setTheme(theme: string): Promise<void> {
  await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);
  await new Promise((r) => setTimeout(r, 1500));
}

/** Screenshots of the active editor in a light and a dark theme (kept under out/ as artifacts). */
async function screenshots(uri: vscode.Uri, name: string): Promise<void> {
  if (!browserAvailable()) return;
  for (const [theme, suffix] of [
    ['Default Light Modern', 'light'],
    ['Default Dark Modern', 'dark'],
  ] as const) {
    await setTheme(theme);
    await act(uri, { kind: 'snapshot' });
    const r = await askBrowser({ selector: '#verdict', screenshot: `editor-${name}-${suffix}.png` });
    assert.equal(r.error, undefined, r.error);
    assert.ok(r.screenshot && fs.existsSync(r.screenshot), `screenshot ${name}-${suffix}`);
  }
}

describe('custom editor', function () {
  this.timeout(180_000);

  before(async () => {
    api = (await activateExtension()).exports as ExtensionApi;
    assert.ok(api?.editor, 'the extension returns its test API');
  });

  afterEach(closeAll);

  after(async () => {
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
  });

  it('an RDB opens in the editor by default: header, AUX read meaningfully, DBs and key rows with type, TTL and size', async () => {
    const uri = fixture(ALL_TYPES);
    await vscode.commands.executeCommand('vscode.open', uri);
    const tab = await waitFor(
      () => vscode.window.tabGroups.activeTabGroup.activeTab?.input,
      (i) => i instanceof vscode.TabInputCustom,
      15_000,
      'the RDB in the custom editor',
    );
    assert.equal((tab as vscode.TabInputCustom).viewType, VIEW);
    const { overview } = await open(ALL_TYPES);
    assert.equal(overview.keys, 25);
    assert.equal(overview.ok, true);
    let s = await act(uri, { kind: 'expandPath', path: 'header' });
    rowWith(s, 'ctime');
    assert.match(rowWith(s, 'ctime'), /2026-11-22T01:39:19/);
    assert.match(rowWith(s, 'used-mem'), /1\.45 MB/);
    s = await act(uri, { kind: 'filter', filter: { pattern: 'str:expiring' } });
    assert.equal(s.matchCount, 1);
    const row = rowWith(s, 'str:expiring');
    assert.match(row, /string/);
    assert.match(row, /2100-01-01/, `TTL as a date: ${row}`);
    s = await act(uri, { kind: 'filter', filter: {} });
    assert.equal(s.matchCount, 25);
    rowWith(s, 'DB 0');
    if (browserAvailable()) {
      const v = await askBrowser({ selector: '#verdict' });
      assert.match(v.text ?? '', /valid/i);
      const keys = await askBrowser({ selector: '.row[data-kind="key"]', all: true });
      assert.ok((keys.texts ?? []).some((t) => t.includes('list:small')), `key rows in the DOM: ${JSON.stringify(keys.texts)}`);
    }
    await screenshots(uri, 'rdb');
  });

  it("a stream's entries, groups, consumers and pending entries", async () => {
    const { uri } = await open(ALL_TYPES);
    let s = await act(uri, { kind: 'filter', filter: { pattern: 'stream:s1' } });
    assert.equal(s.matchCount, 1);
    s = await act(uri, { kind: 'expandPath', path: 'db 0/stream:s1' });
    s = await act(uri, { kind: 'expandPath', path: 'db 0/stream:s1/groups' });
    rowWith(s, 'g1');
    s = await act(uri, { kind: 'expandPath', path: 'db 0/stream:s1/groups/g1' });
    const text = s.rows.join('\n');
    assert.match(text, /1700000000000-6/, 'the group last id');
    assert.match(text, /consumer|Consumer/);
  });

  it('search: glob, type and TTL filters with match counts and next-match jumps', async () => {
    const { uri } = await open(ALL_TYPES);
    let s = await act(uri, { kind: 'filter', filter: { pattern: 'set:*' } });
    assert.equal(s.matchCount, 3);
    for (const k of ['set:ht', 'set:intset', 'set:intset64']) rowWith(s, k);
    assert.ok(!s.rows.some((r) => r.includes('str:plain')), 'no other key is listed');
    s = await act(uri, { kind: 'nextMatch' });
    assert.match(s.selected ?? '', /set:/);
    s = await act(uri, { kind: 'filter', filter: { types: ['zset'] } });
    assert.equal(s.matchCount, 2);
    s = await act(uri, { kind: 'filter', filter: { ttl: 'has' } });
    assert.equal(s.matchCount, 1);
    if (browserAvailable()) {
      // Typed into the real input, as a user does.
      await act(uri, { kind: 'filter', filter: {} });
      await askBrowser({ selector: '#filter-pattern', fill: 'hash:*' });
      const count = await waitFor(
        async () => (await askBrowser({ selector: '#match-count' })).text ?? '',
        (t) => /^3 match/.test(t),
        15_000,
        'the match count of hash:*',
      );
      assert.match(count, /^3 matches/);
    }
  });

  it('copy key, value and RESP command from the keyboard; values as text, hex and escaped bytes', async () => {
    const { uri } = await open(ALL_TYPES);
    await act(uri, { kind: 'filter', filter: { pattern: 'str:expiring' } });
    let s = await act(uri, { kind: 'nextMatch' });
    assert.match(s.selected ?? '', /str:expiring/);
    if (browserAvailable()) {
      api.editor.lastCopy = undefined;
      await askBrowser({ selector: '.row.selected', press: 'Control+Alt+C' });
      const resp = await waitFor(() => api.editor.lastCopy, (t) => !!t, 10_000, 'the RESP copy');
      assert.equal(resp, '*3\r\n$3\r\nSET\r\n$12\r\nstr:expiring\r\n$11\r\nwill expire\r\n*3\r\n$9\r\nPEXPIREAT\r\n$12\r\nstr:expiring\r\n$13\r\n4102444800000\r\n');
      api.editor.lastCopy = undefined;
      await askBrowser({ selector: '.row.selected', press: 'Control+Shift+C' });
      assert.equal(await waitFor(() => api.editor.lastCopy, (t) => !!t, 10_000, 'the value copy'), 'will expire');
      api.editor.lastCopy = undefined;
      await askBrowser({ selector: '.row.selected', press: 'Control+C' });
      assert.equal(await waitFor(() => api.editor.lastCopy, (t) => !!t, 10_000, 'the key copy'), 'str:expiring');
    }
    await act(uri, { kind: 'filter', filter: { pattern: 'str:binary' } });
    s = await act(uri, { kind: 'expandPath', path: 'db 0/str:binary' });
    s = await act(uri, { kind: 'display', mode: 'hex' });
    assert.ok(s.rows.some((r) => /62 69 6e 00 01 fe ff 64 61 74 61/i.test(r)), `hex of bin\0\x01\xfe\xffdata:\n${s.rows.join('\n')}`);
    s = await act(uri, { kind: 'display', mode: 'escaped' });
    assert.ok(s.rows.some((r) => r.includes('bin\\x00\\x01\\xfe\\xffdata')), `escaped:\n${s.rows.join('\n')}`);
    await act(uri, { kind: 'display', mode: 'text' });
  });

  it('the summary: keys and sizes per DB and type, the biggest keys, a key-prefix treemap', async () => {
    const { uri } = await open(ALL_TYPES);
    const s = await act(uri, { kind: 'view', view: 'summary' });
    const text = s.rows.join('\n');
    assert.match(text, /^25\s*keys$/m, text);
    assert.match(text, /zset:skiplist/, 'the biggest key is listed');
    if (browserAvailable()) {
      const tiles = await askBrowser({ selector: '#summary .tile', all: true });
      assert.ok((tiles.texts ?? []).some((t) => t.includes('str:')), `treemap tiles: ${JSON.stringify(tiles.texts)}`);
      await askBrowser({ selector: '#summary', screenshot: 'editor-summary-dark.png' });
    }
    await act(uri, { kind: 'view', view: 'tree' });
  });

  it('a big value expands in pages: the last list items load when scrolled to', async () => {
    const { uri } = await open(ALL_TYPES);
    await act(uri, { kind: 'filter', filter: { pattern: 'list:big' } });
    let s = await act(uri, { kind: 'expandPath', path: 'db 0/list:big' });
    rowWith(s, 'item-1');
    const total = s.totalRows;
    s = await act(uri, { kind: 'scrollTo', row: total - 1 });
    const last = s.rows.filter((r) => /item-\d+/.test(r)).pop() ?? '';
    const n = Number(/item-(\d+)/.exec(last)?.[1]);
    assert.ok(n > 200, `the last rows come from a later page: ${last}`);
  });

  it("a damaged RDB: the key at the bad offset is marked, and the problem is in the Problems panel", async () => {
    const { uri, overview } = await open(DAMAGED_RDB);
    assert.equal(overview.ok, false);
    const p = overview.problems.find((x) => x.severity === 'error')!;
    assert.ok(p, 'an error');
    const hex = `0x${p.offset.toString(16).toUpperCase()}`;
    const diags = await waitFor(() => ourDiagnostics(uri), (d) => d.length > 0, 15_000, 'diagnostics of the damaged RDB');
    assert.ok(diags.some((d) => d.code === p.code && d.message.startsWith(`${hex} (${p.offset})`)), JSON.stringify(diags.map((d) => d.message)));
    if (browserAvailable()) {
      const v = await askBrowser({ selector: '#verdict' });
      assert.match(v.text ?? '', new RegExp(`valid up to offset 0x${overview.validUpTo.toString(16)}`, 'i'));
      const banner = await askBrowser({ selector: '.damage-banner, #damage', all: true });
      assert.ok((banner.texts ?? []).join(' ').includes(hex), `the banner names the offset: ${JSON.stringify(banner.texts)}`);
    }
    await screenshots(uri, 'damaged-rdb');
  });

  it('a hybrid AOF: the preamble keys, then the tail as commands grouped by DB and MULTI … EXEC', async () => {
    const { uri, overview } = await open(HYBRID, AOF_VIEW);
    assert.equal(overview.kind, 'hybrid');
    assert.equal(overview.keys, 25);
    assert.equal(overview.validUpTo, 8730);
    const s = await act(uri, { kind: 'expandPath', path: 'commands' });
    rowWith(s, 'SELECT');
    const multi = rowWith(s, 'MULTI');
    assert.ok(multi);
    rowWith(s, 'LPUSH tx:list');
    await screenshots(uri, 'hybrid');
  });

  it('a plain AOF reopened in the editor: its commands, in a light and a dark theme', async () => {
    const { uri, overview } = await open('aof/valid.aof', AOF_VIEW);
    assert.equal(overview.kind, 'aof');
    assert.equal(overview.ok, true);
    assert.equal(overview.parts[0]!.aof!.commands, 4);
    const s = await act(uri, { kind: 'expandPath', path: 'commands' });
    rowWith(s, 'SELECT 0');
    rowWith(s, 'SET a 1');
    rowWith(s, 'RPUSH list x y');
    rowWith(s, 'INCR counter');
    await screenshots(uri, 'aof');
  });

  it('expansion, filter and selection survive switching tabs', async () => {
    // Not a preview tab: opening another editor would replace (close) a preview, not hide it.
    const { uri } = await open(ALL_TYPES, VIEW, { preview: false });
    await act(uri, { kind: 'filter', filter: { pattern: 'hash:*' } });
    const before = await act(uri, { kind: 'expandPath', path: 'db 0/hash:lp' });
    rowWith(before, 'f1');
    // Another editor in the same group hides the webview (its context is not retained)…
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: 'other' }), { preview: false });
    await new Promise((r) => setTimeout(r, 500));
    // …and coming back restores it from its saved state.
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW);
    const after = await waitFor(
      async () => act(uri, { kind: 'snapshot' }),
      (st) => st.rows.some((r) => r.includes('f1')),
      20_000,
      'the restored tree',
    );
    assert.equal(after.matchCount, 3, 'the filter survived');
    // The expanded key and its fields are drawn again, in the same order.
    const shown = (st: RenderedState) => st.rows.filter((r) => /hash:|\bf[123]\b/.test(r));
    assert.deepEqual(shown(after), shown(before));
  });

  it('a manifest opens by default: base, incr and history files as one timeline', async () => {
    const uri = fixture(MANIFEST);
    await vscode.commands.executeCommand('vscode.open', uri);
    await waitFor(() => vscode.window.tabGroups.activeTabGroup.activeTab?.input, (i) => i instanceof vscode.TabInputCustom, 15_000, 'the manifest in the custom editor');
    const { overview, state } = await open(MANIFEST);
    assert.equal(overview.kind, 'manifest');
    assert.deepEqual(overview.parts.map((p) => [p.file, p.role, p.loaded]), [
      ['appendonly.aof.2.base.rdb', 'base', true],
      ['appendonly.aof.2.incr.aof', 'incr', true],
    ]);
    assert.match(rowWith(state, 'appendonly.aof.2.base.rdb'), /base · seq 2/);
    // The incr file comes after the base's keys: scroll to the end of the tree.
    const end = await act(uri, { kind: 'scrollTo', row: state.totalRows - 1 });
    assert.match(rowWith(end, 'appendonly.aof.2.incr.aof'), /incr · seq 2/);
    await screenshots(uri, 'manifest');
  });

  it('a file with an RDB preamble opened as text is reopened in the editor', async () => {
    const uri = fixture(HYBRID);
    await vscode.commands.executeCommand('vscode.open', uri);
    const input = await waitFor(
      () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.input),
      (inputs) => inputs.some((i) => i instanceof vscode.TabInputCustom && i.uri.toString() === uri.toString()) && !inputs.some((i) => i instanceof vscode.TabInputText && i.uri.toString() === uri.toString()),
      15_000,
      'the hybrid AOF reopened in the custom editor',
    );
    assert.ok(input.length > 0);
  });

  it('a repair is applied from the editor, with a backup, and undone', async () => {
    const uri = fixture(REPAIR);
    const original = fs.readFileSync(uri.fsPath);
    const { overview } = await open(REPAIR, AOF_VIEW);
    assert.equal(overview.ok, false);
    assert.equal(overview.validUpTo, 50);
    api.editor.autoConfirm = true;
    try {
      if (browserAvailable()) {
        const buttons = await waitFor(async () => (await askBrowser({ selector: '#repairs button', all: true })).texts ?? [], (t) => t.length > 0, 20_000, 'repair buttons');
        assert.ok(buttons.some((t) => /redis-check-aof --fix/.test(t)), JSON.stringify(buttons));
        await askBrowser({ selector: '#repairs button[data-kind="fix"]', click: true });
      } else {
        await vscode.commands.executeCommand('redisInspector.repairAof', { uri, kind: 'fix', yes: true });
      }
      await waitFor(() => fs.readFileSync(uri.fsPath).length, (n) => n === 50, 30_000, 'the repaired file');
      assert.deepEqual(fs.readFileSync(uri.fsPath), original.subarray(0, 50));
      const after = await waitFor(() => api.editor.overview(uri), (o) => !!o && o.index.done && o.ok, 30_000, 'the editor re-read the repaired file');
      assert.equal(after!.size, 50);
      if (browserAvailable()) {
        await waitFor(async () => (await askBrowser({ selector: '#repairs button', all: true })).texts ?? [], (t) => t.some((x) => /undo/i.test(x)), 20_000, 'the undo button');
        await askBrowser({ selector: '#repairs button.undo, #repairs button[data-kind="undo"]', click: true });
      } else {
        await vscode.commands.executeCommand('redisInspector.undoRepair', { yes: true });
      }
      await waitFor(() => fs.readFileSync(uri.fsPath).length, (n) => n === original.length, 30_000, 'the restored file');
      assert.deepEqual(fs.readFileSync(uri.fsPath), original);
      await waitFor(() => api.editor.overview(uri), (o) => !!o && o.index.done && !o.ok, 30_000, 'the editor re-read the restored file');
    } finally {
      api.editor.autoConfirm = false;
    }
  });

  it('hostile key names are shown as text: no element is injected', async () => {
    const { uri } = await open(HOSTILE);
    const s = await act(uri, { kind: 'expandPath', path: 'db 0' });
    rowWith(s, '<img src=x onerror=alert(1)>');
    rowWith(s, '"quoted" & <b>bold</b>');
    if (browserAvailable()) {
      for (const selector of ['img', 'b']) {
        const found = await askBrowser({ selector, count: true });
        assert.equal(found.count, 0, `no ${selector} element in the webview`);
      }
      // VS Code injects its own inline script (acquireVsCodeApi); none may carry the keys' code.
      const scripts = await askBrowser({ selector: 'script', all: true });
      assert.ok(!(scripts.texts ?? []).some((t) => t.includes('alert(')), 'no script from a key name');
      const rows = await askBrowser({ selector: '.row[data-kind="key"]', all: true });
      assert.ok((rows.texts ?? []).some((t) => t.includes('<img src=x onerror=alert(1)>')), JSON.stringify(rows.texts));
    }
  });
});
