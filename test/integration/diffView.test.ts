// "Compare Key by Key…" in a real VS Code: the diff view lists the changed key
// of two snapshots with its before and after side by side, filters, counts per
// type, and keeps hostile bytes as text (read back through the view's test
// hook and, in the browser, from its DOM).

import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/extension.js';
import type { DiffRenderedState, DiffTestAction } from '../../src/protocol/diffView.js';
import { activateExtension, askBrowser, browserAvailable, fixture, waitFor } from './helpers.js';

const BEFORE = 'snapshot/before.rdb';
const AFTER = 'snapshot/after.rdb';

let api: ExtensionApi;

/** Runs `action` once the view has drawn the diff (computed in a worker first): retried until then. */
async function act(a: vscode.Uri, b: vscode.Uri, action: DiffTestAction): Promise<DiffRenderedState> {
  return waitFor(
    () => api.diffView.act(a, b, action, 10_000).catch(() => undefined),
    (s) => !!s && s.summary.length > 0,
    30_000,
    'the diff view',
  ) as Promise<DiffRenderedState>;
}

describe('key-level diff view', function () {
  this.timeout(120_000);

  before(async () => {
    api = (await activateExtension()).exports as ExtensionApi;
  });

  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('shows the changed key with its value before and after, side by side, and the counts per type', async () => {
    const a = fixture(BEFORE);
    const b = fixture(AFTER);
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('redisInspector.compareKeyLevel', a, b);
    assert.ok(panel, 'a panel');
    await act(a, b, { kind: 'snapshot' }); // the diff has arrived
    let s = await api.diffView.act(a, b, { kind: 'expandAll' });
    assert.match(s.summary[0] ?? '', /1 key differs/);
    assert.ok(s.summary.some((l) => /^string 0 0 1 2$/.test(l)), `counts per type: ${JSON.stringify(s.summary)}`);
    assert.equal(s.rows.length, 1, JSON.stringify(s.rows));
    assert.match(s.rows[0]!, /user:2/);
    assert.match(s.rows[0]!, /\| before: bob \| after: robert \|/, s.rows[0]);
    assert.match(s.rows[0]!, /3 → 6 bytes/);
    s = await api.diffView.act(a, b, { kind: 'filter', change: 'added' });
    assert.equal(s.rows.length, 0);
    s = await api.diffView.act(a, b, { kind: 'filter', change: 'all', text: 'USER' });
    assert.equal(s.rows.length, 1);
    if (browserAvailable()) {
      const count = await askBrowser({ selector: '#diff-count' });
      assert.match(count.text ?? '', /^1 key/);
      await askBrowser({ selector: '#diff-list', screenshot: 'diff-view.png' });
    }
  });

  it('an RDB against a multi-part AOF: hash fields, stream entries, groups and metadata side by side', async () => {
    // The set's base is this very RDB; its INCR file then adds, deletes and changes keys.
    const a = fixture('rdb/ok/dump-7.0.15-all-types.rdb');
    const b = fixture('editor/appendonlydir/appendonly.aof.manifest');
    await vscode.commands.executeCommand('redisInspector.compareKeyLevel', a, b);
    await act(a, b, { kind: 'snapshot' });
    const s = await api.diffView.act(a, b, { kind: 'expandAll' });
    assert.match(s.summary[0] ?? '', /9 keys differ/);
    assert.ok(s.summary.includes('hash 0 0 1 3'), JSON.stringify(s.summary));
    assert.ok(s.summary.includes('stream 0 0 2 0'), JSON.stringify(s.summary));
    const row = (key: string) => {
      const r = s.rows.find((x) => x.startsWith(key));
      assert.ok(r, `no row for ${key} among ${JSON.stringify(s.rows)}`);
      return r;
    };
    assert.match(row('hash:lp'), /\| before: — \| after: f4 = v4 \|/, 'a field only after');
    assert.match(row('str:plain'), /string key removed/);
    assert.match(row('tx:list'), /list key added/);
    const stream = row('stream:s1');
    const [before, after] = [/before: ([^|]*)/.exec(stream)![1]!, /after: ([^|]*)/.exec(stream)![1]!];
    assert.match(after, /^1795311572922-0 late=entry ; /, stream);
    assert.doesNotMatch(before, /1795311572922-0 late/, 'the new entry is only after');
    assert.match(before, /last-id 1700000000001-0/);
    assert.match(after, /last-id 1795311572922-0/);
    assert.match(before, /group g1 pending 1700000000000-2, delivered \d{4}-/);
    assert.match(after, /group g1 pending 1700000000000-2, delivered \d{4}-/);
    if (browserAvailable()) await askBrowser({ selector: '#diff-list', screenshot: 'diff-view-rdb-aof.png' });
  });

  it('the same data compares equal', async () => {
    const a = fixture(BEFORE);
    await vscode.commands.executeCommand('redisInspector.compareKeyLevel', a, a);
    const s = await act(a, a, { kind: 'snapshot' });
    assert.match(s.summary[0] ?? '', /Same data/);
    assert.equal(s.rows.length, 0);
  });
});
