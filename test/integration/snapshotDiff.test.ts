// Readable diffs of RDB snapshots in a real VS Code: both sides of the diff
// editor are `redis-snapshot:` renderings (src/extension/snapshot), opened by
// the compare commands, by the replacement of any diff tab of two .rdb files,
// and by "Open Changes" on a modified git-tracked backup. The workspace
// (scripts/e2e-workspace.mjs) has snapshot/before.rdb and snapshot/after.rdb
// (same keys, user:2 "bob" → "robert", other key order), the data of after.rdb as a plain AOF
// (snapshot/after.aof) and as a multi-part set (snapshot/aofset), and snapshot/repo, a git
// repository whose backup.rdb is before.rdb at HEAD and after.rdb in the work tree, and whose
// backup.aof gained a SET user:2 robert in the work tree.

import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { SnapshotDiff } from '../../src/extension/snapshot/diff.js';
import { activateExtension, fixture, waitFor } from './helpers.js';

const BEFORE = 'snapshot/before.rdb';
const AFTER = 'snapshot/after.rdb';
const REPO = 'snapshot/repo';
const BACKUP = `${REPO}/backup.rdb`;
const AFTER_AOF = 'snapshot/after.aof';
const AOF_SET = 'snapshot/aofset/appendonly.aof.manifest';
const BACKUP_AOF = `${REPO}/backup.aof`;

const OLD_BLOCK = 'db0 "user:2" string\n  "bob"\n';
const NEW_BLOCK = 'db0 "user:2" string\n  "robert"\n';
const SAME_BLOCK = 'db0 "user:1" string\n  "alice"\n';

/** The wrapped URI of a redis-snapshot URI (its query). */
function wrapped(uri: vscode.Uri): string {
  return decodeURIComponent(uri.query);
}

function activeDiff(): vscode.TabInputTextDiff | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputTextDiff ? input : undefined;
}

/** Waits for the active tab to be a diff of two redis-snapshot renderings. */
async function activeSnapshotDiff(what: string): Promise<vscode.TabInputTextDiff> {
  return (await waitFor(
    () => activeDiff(),
    (d) => d?.original.scheme === 'redis-snapshot' && d.modified.scheme === 'redis-snapshot',
    15_000,
    what,
  ))!;
}

/** The text of an open document (the diff editor opened it), once it is there. */
async function documentText(uri: vscode.Uri): Promise<string> {
  const doc = await waitFor(
    () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()),
    (d) => !!d && d.getText().length > 0,
    15_000,
    `the document ${uri.toString(true)}`,
  );
  return doc!.getText();
}

/** Both sides: old has user:2 = bob, new has robert, both the unchanged user:1. */
async function assertReadableChange(diff: vscode.TabInputTextDiff): Promise<void> {
  const left = await documentText(diff.original);
  const right = await documentText(diff.modified);
  assert.ok(left.includes(OLD_BLOCK), left);
  assert.ok(!left.includes('"robert"'), left);
  assert.ok(right.includes(NEW_BLOCK), right);
  assert.ok(!right.includes('"bob"'), right);
  for (const side of [left, right]) {
    assert.ok(side.includes(SAME_BLOCK), side);
    assert.ok(side.startsWith('# Redis snapshot'), side);
    assert.ok(side.includes('keys 3 (db0: 3)\n'), side);
  }
}

/** No tab still shows a raw diff of .rdb files. */
/**
 * Diff tabs of the raw files: a text diff of two `.rdb` (or `.aof`) files, or — since `.rdb`
 * files open in the inspector — a diff of two inspectors, whose tab input is
 * opaque (undefined) and whose label names the files.
 */
function rawRdbDiffTabs(ext = '.rdb'): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter(
      (t) =>
        (t.input instanceof vscode.TabInputTextDiff && t.input.original.scheme !== 'redis-snapshot' && t.input.original.path.endsWith(ext)) ||
        (t.input === undefined && t.label.includes(ext)),
    );
}

describe('readable snapshot diffs', () => {
  before(async () => {
    await activateExtension();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('registers the commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['redisInspector.compareSnapshotWith', 'redisInspector.selectSnapshotForCompare', 'redisInspector.compareSnapshotWithSelected', 'redisInspector.openChanges']) {
      assert.ok(all.includes(c), c);
    }
  });

  it('"Compare Snapshot With…": a diff editor of the two renderings, the changed key on each side', async () => {
    const result = await vscode.commands.executeCommand<SnapshotDiff>('redisInspector.compareSnapshotWith', fixture(BEFORE), fixture(AFTER));
    assert.ok(result);
    const diff = await activeSnapshotDiff('the readable diff of before.rdb and after.rdb');
    assert.equal(wrapped(diff.original), fixture(BEFORE).toString());
    assert.equal(wrapped(diff.modified), fixture(AFTER).toString());
    assert.equal(diff.original.toString(), result.left.toString());
    assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.label, 'before.rdb ↔ after.rdb (Redis snapshot)');
    await assertReadableChange(diff);
  });

  it('"Select Snapshot for Compare" then "Compare Snapshot with Selected"', async () => {
    await vscode.commands.executeCommand('redisInspector.selectSnapshotForCompare', fixture(BEFORE));
    await vscode.commands.executeCommand('redisInspector.compareSnapshotWithSelected', fixture(AFTER));
    const diff = await activeSnapshotDiff('the readable diff after select / compare with selected');
    assert.equal(wrapped(diff.original), fixture(BEFORE).toString());
    assert.equal(wrapped(diff.modified), fixture(AFTER).toString());
    await assertReadableChange(diff);
  });

  it('a plain vscode.diff of two .rdb files is replaced by the readable diff, in place', async () => {
    await vscode.commands.executeCommand('vscode.diff', fixture(BEFORE), fixture(AFTER), 'raw rdb diff');
    const diff = await activeSnapshotDiff('the replacement of the raw diff');
    assert.equal(wrapped(diff.original), fixture(BEFORE).toString());
    assert.equal(wrapped(diff.modified), fixture(AFTER).toString());
    assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.label, 'raw rdb diff (Redis snapshot)');
    await assertReadableChange(diff);
    await waitFor(() => rawRdbDiffTabs().length, (n) => n === 0, 10_000, 'the raw diff tab to close');
    // No loop: the readable diff stays, exactly one tab.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(vscode.window.tabGroups.all.flatMap((g) => g.tabs).length, 1);
  });

  describe('AOF inputs: replayed into the dataset redis-server would load', () => {
    it('an RDB and a plain AOF of the same data render identically', async () => {
      await vscode.commands.executeCommand('redisInspector.compareSnapshotWith', fixture(AFTER), fixture(AFTER_AOF));
      const diff = await activeSnapshotDiff('the readable diff of after.rdb and after.aof');
      assert.equal(wrapped(diff.modified), fixture(AFTER_AOF).toString());
      const left = await documentText(diff.original);
      const right = await documentText(diff.modified);
      assert.equal(right, left);
      assert.ok(right.includes(NEW_BLOCK), right);
    });

    it('"Compare Snapshot With…" an RDB and a multi-part manifest: the set is read from its folder', async () => {
      await vscode.commands.executeCommand('redisInspector.compareSnapshotWith', fixture(BEFORE), fixture(AOF_SET));
      const diff = await activeSnapshotDiff('the readable diff of before.rdb and the manifest');
      assert.equal(wrapped(diff.modified), fixture(AOF_SET).toString());
      await assertReadableChange(diff);
    });

    it('"Select Snapshot for Compare" on an AOF, "Compare Snapshot with Selected" on an RDB', async () => {
      await vscode.commands.executeCommand('redisInspector.selectSnapshotForCompare', fixture(AFTER_AOF));
      await vscode.commands.executeCommand('redisInspector.compareSnapshotWithSelected', fixture(BEFORE));
      const diff = await activeSnapshotDiff('the readable diff after select / compare with selected');
      assert.equal(wrapped(diff.original), fixture(AFTER_AOF).toString());
      const left = await documentText(diff.original);
      const right = await documentText(diff.modified);
      assert.ok(left.includes(NEW_BLOCK), left);
      assert.ok(right.includes(OLD_BLOCK), right);
    });

    it('Open Changes (Readable) of a modified git-tracked backup.aof: HEAD through `git show`', async () => {
      const result = await vscode.commands.executeCommand<SnapshotDiff>('redisInspector.openChanges', fixture(BACKUP_AOF));
      assert.ok(result);
      const diff = await activeSnapshotDiff('the readable HEAD ↔ working tree diff of backup.aof');
      assert.equal(diff.original.fragment, 'git-head');
      assert.equal(wrapped(diff.modified), fixture(BACKUP_AOF).toString());
      await assertReadableChange(diff);
    });
  });

  describe('Open Changes of a modified git-tracked backup.rdb', () => {
    it('without the git extension (git.enabled is off in the test profile): HEAD through `git show`', async () => {
      const result = await vscode.commands.executeCommand<SnapshotDiff>('redisInspector.openChanges', fixture(BACKUP));
      assert.ok(result);
      const diff = await activeSnapshotDiff('the readable HEAD ↔ working tree diff');
      assert.equal(wrapped(diff.modified), fixture(BACKUP).toString());
      assert.equal(wrapped(diff.original), fixture(BACKUP).toString());
      assert.equal(diff.original.fragment, 'git-head');
      await assertReadableChange(diff);
    });

    describe('with the git extension', () => {
      interface GitRepository {
        status(): Promise<void>;
        state: { workingTreeChanges: { uri: vscode.Uri }[] };
      }
      interface GitApi {
        state: string;
        openRepository(root: vscode.Uri): Promise<GitRepository | null>;
        getRepository(uri: vscode.Uri): GitRepository | null;
      }
      interface GitExtension {
        enabled: boolean;
        getAPI(v: 1): GitApi;
      }
      let enabledBefore: boolean | undefined;
      let repo: GitRepository;

      before(async function () {
        const ext = vscode.extensions.getExtension<GitExtension>('vscode.git');
        if (!ext) {
          console.log('      (the vscode.git extension is not installed in this VS Code: skipped)');
          this.skip();
        }
        // The runner's user settings switch git off (scripts/e2e-lib.mjs); switch it on for these tests.
        enabledBefore = vscode.workspace.getConfiguration('git').inspect<boolean>('enabled')?.globalValue;
        await vscode.workspace.getConfiguration('git').update('enabled', true, vscode.ConfigurationTarget.Global);
        const git = await ext!.activate();
        await waitFor(() => git.enabled, (e) => e, 20_000, 'the git extension to be enabled');
        const api = git.getAPI(1);
        await waitFor(() => api.state, (s) => s === 'initialized', 20_000, 'the git model');
        const opened = (await api.openRepository(fixture(REPO))) ?? api.getRepository(fixture(BACKUP));
        assert.ok(opened, 'the git extension did not open snapshot/repo');
        repo = opened;
        await repo.status();
        await waitFor(
          () => repo.state.workingTreeChanges.map((c) => c.uri.path),
          (paths) => paths.some((p) => p.endsWith('/backup.rdb')),
          20_000,
          'backup.rdb among the working tree changes',
        );
      });

      after(async () => {
        await vscode.workspace.getConfiguration('git').update('enabled', enabledBefore, vscode.ConfigurationTarget.Global);
      });

      it("the git extension's own Open Changes (git.openChange) shows the readable diff instead of the binary one", async () => {
        await vscode.commands.executeCommand('git.openChange', fixture(BACKUP));
        const diff = await activeSnapshotDiff('the readable diff replacing git.openChange');
        assert.equal(wrapped(diff.modified), fixture(BACKUP).toString());
        assert.equal(vscode.Uri.parse(wrapped(diff.original)).scheme, 'git');
        await assertReadableChange(diff);
        await waitFor(() => rawRdbDiffTabs().length, (n) => n === 0, 10_000, 'the binary diff tab to close');
      });

      it("the git extension's own Open Changes of backup.aof (a text diff) is replaced by the readable diff", async () => {
        await waitFor(
          () => repo.state.workingTreeChanges.map((c) => c.uri.path),
          (paths) => paths.some((p) => p.endsWith('/backup.aof')),
          20_000,
          'backup.aof among the working tree changes',
        );
        await vscode.commands.executeCommand('git.openChange', fixture(BACKUP_AOF));
        const diff = await activeSnapshotDiff('the readable diff replacing git.openChange of backup.aof');
        assert.equal(wrapped(diff.modified), fixture(BACKUP_AOF).toString());
        assert.equal(vscode.Uri.parse(wrapped(diff.original)).scheme, 'git');
        await assertReadableChange(diff);
        await waitFor(() => rawRdbDiffTabs('.aof').length, (n) => n === 0, 10_000, 'the text diff tab to close');
      });

      it('redisInspector.openChanges on the SCM resource: HEAD as a git: URI', async () => {
        const result = await vscode.commands.executeCommand<SnapshotDiff>('redisInspector.openChanges', { resourceUri: fixture(BACKUP) });
        assert.ok(result);
        const diff = await activeSnapshotDiff('the readable HEAD ↔ working tree diff');
        const left = vscode.Uri.parse(wrapped(diff.original));
        assert.equal(left.scheme, 'git');
        assert.match(left.query, /"ref":"HEAD"/);
        assert.equal(wrapped(diff.modified), fixture(BACKUP).toString());
        await assertReadableChange(diff);
      });
    });
  });
});
