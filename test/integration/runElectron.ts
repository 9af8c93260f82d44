// Runs the integration suite in desktop VS Code through @vscode/test-electron,
// the other host of the same extensionTestsPath contract (see index.ts). It
// downloads a VS Code build from Microsoft, so it does not run in CI (which has
// only the npm registry and Debian packages); there, scripts/e2e-run.mjs runs
// the same suite in code-server's extension host.
// Usage: npm run test:electron (= npm run build && node scripts/build.mjs --integration &&
//        node out/integration-electron/runElectron.js, bundled from this file)
// Env: VSCODE_EXECUTABLE=<path to code> (no download) or VSCODE_VERSION (default stable).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  // Bundled to out/integration-electron/runElectron.js: the repository is two levels up.
  const root = resolve(__dirname, '..', '..');
  const { prepareWorkspace } = await import('../../scripts/e2e-workspace.mjs');
  const tmp = mkdtempSync(join(tmpdir(), 'rpi-electron-'));
  try {
    const workspace = prepareWorkspace(root, join(tmp, 'workspace'));
    const exitCode = await runTests({
      // VSCODE_EXECUTABLE: an installed VS Code (no download); else VSCODE_VERSION or stable.
      ...(process.env.VSCODE_EXECUTABLE
        ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE }
        : { version: process.env.VSCODE_VERSION ?? 'stable' }),
      extensionDevelopmentPath: root,
      extensionTestsPath: join(root, 'out', 'integration', 'index.js'),
      // The host inherits this process's environment (E2E_GREP etc.); runTests adds
      // --skip-welcome, --disable-workspace-trust and the two dev paths itself.
      launchArgs: [workspace, '--disable-extensions', '--user-data-dir', join(tmp, 'user-data'), '--extensions-dir', join(tmp, 'extensions')],
    });
    process.exitCode = exitCode;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error('integration tests (electron) failed:', e);
  process.exitCode = 1;
});
