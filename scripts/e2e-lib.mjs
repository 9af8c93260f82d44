// The integration harness's moving parts: code-server (VS Code 1.99.3 server and
// web workbench, installed by scripts/e2e-install.sh in e2e/harness) on loopback
// with throwaway dirs, and Debian's chromium driven by playwright-core.
// Used by scripts/e2e-run.mjs; reusable by scripts that drive the UI (screenshots).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { URLSearchParams } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '..');
export const CODE_SERVER =
  process.env.CODE_SERVER_ENTRY ?? path.join(root, 'e2e', 'harness', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Throws a message naming the fix when the harness is not installed. */
export function assertHarnessInstalled() {
  const missing = [CODE_SERVER, CHROMIUM].filter((f) => !fs.existsSync(f));
  if (missing.length) {
    throw new Error(`integration harness not installed (missing ${missing.join(', ')}); run: bash scripts/e2e-install.sh`);
  }
}

/** A free TCP port on 127.0.0.1 (closed again before code-server takes it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server on 127.0.0.1:<free port> with a temp user-data, extensions,
 * config and XDG dir, in its own process group; resolves once it listens.
 * env is added to the server's environment, which its extension host inherits.
 * Returns { url, authority, tmp, log, stop }; stop() kills the whole group and
 * removes the temp dir (kept when KEEP_TMP is set).
 */
export async function startCodeServer({ env = {}, verbose = false } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-e2e-'));
  const dirs = { userData: path.join(tmp, 'user-data'), extensions: path.join(tmp, 'extensions'), xdg: path.join(tmp, 'xdg') };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(path.join(dirs.userData, 'User'));
  fs.writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'workbench.enableExperiments': false,
      'git.enabled': false,
    }),
  );
  // Without --config, code-server writes ~/.config/code-server/config.yaml with a random password.
  const config = path.join(tmp, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\n');
  const port = await freePort();
  const args = [
    CODE_SERVER, '--config', config, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened',
  ];
  // EXTENSIONS_GALLERY='{}' switches off the Open VSX gallery (no DNS lookups for it).
  const childEnv = { ...process.env, XDG_CONFIG_HOME: dirs.xdg, XDG_DATA_HOME: dirs.xdg, EXTENSIONS_GALLERY: '{}', ...env };
  // detached: its own process group, so stop() also ends the extension host and file watcher it forks.
  const child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const log = [];
  const onData = (b) => {
    log.push(b.toString());
    if (verbose) process.stderr.write(`[code-server] ${b}`);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = child.exitCode !== null;
  child.on('exit', () => (exited = true));

  const stop = async () => {
    const killGroup = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    if (!exited) {
      killGroup('SIGTERM');
      await new Promise((r) => {
        const t = setTimeout(r, 5000);
        const done = () => {
          clearTimeout(t);
          r();
        };
        child.once('exit', done);
        if (exited) done();
      });
    }
    killGroup('SIGKILL'); // leftovers: an extension host still running tests, the file watcher, …
    if (!process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  };

  const t0 = Date.now();
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not start in 60 s:\n${log.join('')}`)), 60_000);
      const settle = (f) => {
        clearTimeout(timer);
        f();
      };
      const ready = (b) => {
        if (/HTTP server listening on/.test(b.toString())) settle(resolve);
      };
      child.stdout.on('data', ready);
      child.stderr.on('data', ready);
      child.on('exit', (c) => settle(() => reject(new Error(`code-server exited early (${c}):\n${log.join('')}`))));
      child.on('error', (e) => settle(() => reject(e)));
    });
  } catch (e) {
    await stop();
    throw e;
  }
  const authority = `127.0.0.1:${port}`;
  return { url: `http://${authority}`, authority, tmp, log, startMs: Date.now() - t0, child, isRunning: () => !exited, stop };
}

/** Headless Debian chromium (no Playwright browser download). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ],
  });
}

/** A vscode-remote:// URI for a path on the machine code-server runs on. */
export const remoteUri = (cs, p) => `vscode-remote://${cs.authority}${path.resolve(p)}`;

/** The workbench URL: ?folder=… and payload=[[key, value], …] (VS Code web's start-up options). */
export function workbenchUrl(cs, { folder, payload = [] }) {
  const q = new URLSearchParams();
  if (folder) q.set('folder', folder);
  if (payload.length) q.set('payload', JSON.stringify(payload));
  return `${cs.url}/?${q}`;
}
