// Integration tests in a real VS Code: starts code-server (VS Code 1.99.3) on
// 127.0.0.1, opens its web workbench in headless Debian chromium, and has the
// workbench run our mocha suite (out/integration/index.js) inside the real Node
// extension host, with the extension loaded from this folder as a development
// extension. The workspace is a temp folder made by scripts/e2e-workspace.mjs.
// Exit code: 0 when every test passed, 1 otherwise (also on timeout).
//
// Needs: bash scripts/e2e-install.sh (once), then npm run build and
// node scripts/build.mjs --integration (npm run test:integration does both of the latter).
// Usage: node scripts/e2e-run.mjs
// Env: E2E_TIMEOUT_MS (default 180000), E2E_GREP=<regexp> (run only matching tests),
//      E2E_VERBOSE=1 (code-server and browser console too), KEEP_TMP=1 (keep the temp dirs),
//      E2E_FAIL_ON_PURPOSE=1 (one test fails: checks that a red run exits 1).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { assertHarnessInstalled, launchBrowser, remoteUri, startCodeServer, workbenchUrl } from './e2e-lib.mjs';
import { prepareWorkspace } from './e2e-workspace.mjs';

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'out');
const testsDir = path.join(outDir, 'integration');
const timeoutMs = Number(process.env.E2E_TIMEOUT_MS ?? 180_000);
const verbose = !!process.env.E2E_VERBOSE;
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

for (const f of [path.join(root, 'dist', 'extension.js'), path.join(root, 'dist', 'worker.js'), path.join(testsDir, 'index.js')]) {
  if (!fs.existsSync(f)) {
    console.error(`e2e-run: ${path.relative(root, f)} is missing; run npm run build && node scripts/build.mjs --integration`);
    process.exit(1);
  }
}
try {
  assertHarnessInstalled();
} catch (e) {
  console.error(`e2e-run: ${e.message}`);
  process.exit(1);
}

fs.mkdirSync(outDir, { recursive: true });
const resultsFile = path.join(outDir, 'e2e-results.json');
fs.rmSync(resultsFile, { force: true });
fs.rmSync(path.join(outDir, 'e2e-timeout.png'), { force: true });
const ipcDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-e2e-ipc-'));

let cs;
let browser;
let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await browser?.close().catch(() => {});
  await cs?.stop();
  fs.rmSync(ipcDir, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`e2e-run: ${sig}, stopping code-server and chromium`);
    void cleanup().finally(() => process.exit(130));
  });
}

let status = 'error';
let suiteStarted = false;
const startupLog = [];
try {
  cs = await startCodeServer({ env: { E2E_RESULTS_FILE: resultsFile, E2E_IPC_DIR: ipcDir }, verbose });
  console.log(`code-server listening on ${cs.url} after ${cs.startMs} ms`);
  const workspace = prepareWorkspace(root, path.join(cs.tmp, 'workspace'));
  browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
  if (verbose) page.on('console', (m) => console.log(`[browser:${m.type()}] ${m.text().replace(/%c/g, '')}`));

  // VS Code web's test hooks, registered before navigating. The workbench calls
  // codeAutomationLog(type, args) for every console call in the extension host (mocha's
  // reporter among them) and codeAutomationExit(code) when run() settles: 0 resolved, 1 rejected.
  let exit;
  const exited = new Promise((resolve) => (exit = resolve));
  // Until index.js logs E2E_SUITE_START, the lines are the workbench's start-up chatter:
  // kept in startupLog, shown with E2E_VERBOSE or when no result comes.
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = format(...(Array.isArray(args) ? args : [args]));
    const req = /E2E_REQUEST (\{.*\})/.exec(line);
    if (req) return void serveRequest(page, JSON.parse(req[1]));
    if (line === 'E2E_SUITE_START') return void (suiteStarted = true);
    const text = type === 'log' || type === 'info' ? line : line.replace(/^/gm, `[ext-host ${type}] `);
    if (suiteStarted || verbose) console.log(text);
    else startupLog.push(text);
  });
  await page.exposeFunction('codeAutomationExit', (code) => exit(code));

  const url = workbenchUrl(cs, {
    folder: workspace,
    payload: [
      ['extensionDevelopmentPath', remoteUri(cs, root)],
      ['extensionTestsPath', remoteUri(cs, testsDir)],
      ['skipWelcome', 'true'],
    ],
  });
  const tNav = Date.now();
  await page.goto(url);
  console.log(`workbench loaded in ${Date.now() - tNav} ms; running the suite in the extension host`);
  let timer;
  const serverDied = new Promise((resolve) => cs.child.once('exit', (c) => resolve(`code-server exited (${c})`)));
  const pageCrashed = new Promise((resolve) => page.once('crash', () => resolve('the workbench page crashed')));
  const result = await Promise.race([
    exited,
    serverDied,
    pageCrashed,
    new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (typeof result === 'number') {
    status = result === 0 ? 'passed' : 'failed';
    console.log(`extension host finished ${Date.now() - tNav} ms after navigation, exit code ${result}`);
  } else {
    status = result;
    console.log(`e2e-run: ${result === 'timeout' ? `TIMEOUT: no result after ${timeoutMs} ms` : result}`);
    const shot = path.join(outDir, 'e2e-timeout.png');
    await page.screenshot({ path: shot }).then(
      () => console.log(`e2e-run: screenshot of the workbench: ${path.relative(root, shot)}`),
      (e) => console.log(`e2e-run: no screenshot: ${e.message}`),
    );
    if (!verbose) {
      if (!suiteStarted) console.log(`workbench log (the suite never started):\n${startupLog.join('\n')}`);
      console.log(`code-server's log:\n${cs.log.join('').trimEnd()}`);
    }
  }
} catch (e) {
  console.error(`e2e-run: ${e.stack ?? e}`);
} finally {
  await cleanup();
}

// Summary from the results file index.js writes (the spec reporter's output is above).
let failedCount = 0;
if (fs.existsSync(resultsFile)) {
  const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  for (const t of r.failed) console.log(`  FAIL ${t.title}\n       ${t.error.split('\n')[0]}`);
  failedCount = r.failed.length;
  console.log(`${r.passed.length} passed, ${r.failed.length} failed${r.pending.length ? `, ${r.pending.length} pending` : ''} (${elapsed()})`);
} else {
  console.log(`no results (${status}) after ${elapsed()}`);
}
process.exit(status === 'passed' && failedCount === 0 ? 0 : 1);

/**
 * Answers a test's askBrowser() (test/integration/helpers.ts): reads the active
 * webview's DOM with Playwright, optionally acts on it, optionally screenshots
 * the page into out/, and writes <E2E_IPC_DIR>/<id>.json, which the test polls for.
 * Request: { id, selector, all?, count?, attribute?, fill?, press?, click?, screenshot? }.
 * Without all/count the one element must become visible (20 s); with them,
 * nothing is waited for (count) or at most 1 s for a first match (all).
 * Order: read (text, attr), then fill, press, click, then the screenshot.
 */
async function serveRequest(page, req) {
  const reply = { id: req.id };
  try {
    // A webview is <iframe class="webview ready"> (host page) → <iframe id="active-frame"> (the extension's HTML).
    const inner = page.locator('iframe.webview.ready').last().contentFrame().locator('#active-frame').contentFrame();
    const matches = inner.locator(req.selector);
    let el = matches;
    if (req.count || req.all) {
      if (req.all) await matches.first().waitFor({ state: 'attached', timeout: 1_000 }).catch(() => {});
      if (req.count) reply.count = await matches.count();
      if (req.all) {
        reply.texts = await matches.allTextContents();
        if (req.attribute !== undefined) reply.attrs = await Promise.all((await matches.all()).map((m) => m.getAttribute(req.attribute)));
      }
      // Actions go to the first match.
      el = matches.first();
    } else {
      await el.waitFor({ state: 'visible', timeout: 20_000 });
      reply.text = await el.textContent();
    }
    // attr: of the one element (null when it lacks the attribute, or when count found no match).
    if (req.attribute !== undefined && !req.all) reply.attr = req.count && reply.count === 0 ? null : await el.getAttribute(req.attribute, { timeout: 5_000 });
    if (req.fill !== undefined) await el.fill(req.fill, { timeout: 20_000 });
    // Several keys or chords, separated by spaces, are pressed one after the other ('ArrowDown ArrowDown Enter').
    if (req.press !== undefined) for (const key of String(req.press).split(/\s+/).filter(Boolean)) await el.press(key, { timeout: 20_000 });
    if (req.click) await el.click({ timeout: 20_000 });
    if (req.screenshot) {
      reply.screenshot = path.join(outDir, path.basename(req.screenshot));
      await page.screenshot({ path: reply.screenshot });
    }
  } catch (e) {
    reply.error = String(e);
  }
  const file = path.join(ipcDir, `${req.id}.json`);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(reply));
  fs.renameSync(`${file}.tmp`, file);
}
