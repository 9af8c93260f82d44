// What the host gives the extension: logged on every run (the `E2E_ENV` line in
// the runner's output), so a report shows which VS Code the suite ran against.

import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { activateExtension, workspaceRoot } from './helpers.js';

describe('env', () => {
  it('reports the VS Code version, UI kind, remote name and URI scheme', async () => {
    const ext = await activateExtension();
    const folder = workspaceRoot();
    console.log(
      `E2E_ENV ${JSON.stringify({
        vscodeVersion: vscode.version,
        appName: vscode.env.appName,
        appHost: vscode.env.appHost,
        uiKind: vscode.UIKind[vscode.env.uiKind],
        remoteName: vscode.env.remoteName ?? null,
        extensionKind: vscode.ExtensionKind[ext.extensionKind],
        extensionPath: ext.extensionPath,
        folderUri: folder.toString(),
        node: process.version,
        platform: process.platform,
      })}`,
    );
    // package.json's engines.vscode is ^1.99.0: the host must be at least that.
    const [major, minor] = vscode.version.split('.').map(Number);
    assert.ok(major > 1 || (major === 1 && minor >= 99), `VS Code ${vscode.version} is older than engines.vscode`);
    // The (remote) Node extension host sees the workspace as plain file: URIs, so the
    // check command takes its worker-reads-the-path branch, as on desktop.
    assert.equal(folder.scheme, 'file');
  });

  it('fails on purpose only when E2E_FAIL_ON_PURPOSE=1 (checks the harness reports red)', () => {
    if (process.env.E2E_FAIL_ON_PURPOSE === '1') assert.fail('failing on purpose (E2E_FAIL_ON_PURPOSE=1)');
  });
});
