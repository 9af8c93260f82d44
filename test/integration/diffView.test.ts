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
    assert.match(s.rows[0]!, /\| bob \| robert \|/, s.rows[0]);
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

  it('the same data compares equal', async () => {
    const a = fixture(BEFORE);
    await vscode.commands.executeCommand('redisInspector.compareKeyLevel', a, a);
    const s = await act(a, a, { kind: 'snapshot' });
    assert.match(s.summary[0] ?? '', /Same data/);
    assert.equal(s.rows.length, 0);
  });
});
