// The editor webview against the mock host, in Debian's Chromium through playwright-core.
// Builds the webview bundle and the mock host into out/webview-harness/, opens
// test/webview/harness.html from a file:// URL and asserts the DOM.
// Usage: node test/webview/webview.test.mjs [--build-only] [--headed]; exit 0 = pass.
// Screenshots: out/webview-harness-{dark,light,summary-dark,summary-light,treemap-dark,aof-light,big-dark}.png.
// Callbacks passed to page.evaluate / $eval run in the browser:
/* global window, document */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'out/webview-harness');
const t0 = Date.now();

// ---- build ------------------------------------------------------------------------------------
mkdirSync(join(outDir, 'codicons'), { recursive: true });
await Promise.all([
  // Same options as scripts/build.mjs uses for dist/webview.js.
  esbuild.build({ entryPoints: [join(root, 'src/webview/main.ts')], outfile: join(outDir, 'webview.js'), bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: true, logLevel: 'warning' }),
  esbuild.build({ entryPoints: [join(root, 'test/webview/mockHost.ts')], outfile: join(outDir, 'mockHost.js'), bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: true, logLevel: 'warning' }),
]);
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(join(root, 'node_modules/@vscode/codicons/dist', f), join(outDir, 'codicons', f));
if (process.argv.includes('--build-only')) {
  console.log(`built ${outDir}; open ${pathToFileURL(join(root, 'test/webview/harness.html'))}?data=small`);
  process.exit(0);
}

const { chromium } = await import('playwright-core');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`no Chromium at ${executablePath} (set CHROMIUM_PATH)`);
  process.exit(1);
}
const browser = await chromium.launch({
  executablePath,
  headless: !process.argv.includes('--headed'),
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--allow-file-access-from-files'],
});

const harness = pathToFileURL(join(root, 'test/webview/harness.html')).href;
let passed = 0;
let failed = 0;
const problems = [];

async function open(query, viewport = { width: 1280, height: 760 }) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`[pageerror ${query}] ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`[console.${m.type()} ${query}] ${m.text()}`);
  });
  page.on('dialog', async (d) => {
    problems.push(`[dialog ${query}] ${d.message()}`);
    await d.dismiss();
  });
  await page.goto(`${harness}?${query}`);
  await page.waitForFunction(() => window.mockHost?.indexingDone === true && document.querySelector('#match-count')?.textContent && !document.querySelector('#match-count').textContent.includes('…'));
  await settle(page);
  return { page, context };
}

/** Waits until the webview has drawn what it was waiting for (test hook `snapshot`). */
const settle = (page) => page.evaluate(() => window.mockHost.test({ kind: 'snapshot' }));
const act = (page, action) => page.evaluate((a) => window.mockHost.test(a), action);
const texts = (page, sel) => page.$$eval(sel, (els) => els.map((e) => e.textContent));
const sent = (page) => page.evaluate(() => window.mockHost.sent);

async function test(name, fn) {
  const t = Date.now();
  try {
    await fn();
    passed++;
    console.log(`  ok   ${name} (${Date.now() - t} ms)`);
  } catch (e) {
    failed++;
    console.log(`  FAIL ${name}\n       ${String(e.stack ?? e).split('\n').slice(0, 6).join('\n       ')}`);
  }
}

function keyRowText(page, id) {
  return page.$eval(`.row[data-kind="key"][data-id="${id}"]`, (e) => e.textContent);
}

try {
  // ---- small RDB, dark --------------------------------------------------------------------------
  const { page, context } = await open('data=small&theme=dark&indexMs=300');

  await test('toolbar: file, verdict, indexing finished, match count', async () => {
    assert.equal(await page.textContent('.file-name'), 'dump.rdb');
    assert.match(await page.textContent('.file-meta'), /^RDB snapshot · \d+(\.\d)? KB$/);
    assert.equal((await page.textContent('#verdict')).trim(), 'Valid');
    assert.equal(await page.isVisible('#progress'), false);
    assert.equal(await page.textContent('#match-count'), '46 keys');
  });

  await test('tree: header, sections and key rows with types, TTL and idle text', async () => {
    const header = await page.textContent('.row[data-kind="header"]');
    assert.match(header, /Header.*REDIS 0011 · checksum ok · 5 AUX fields/);
    const sections = await texts(page, '.row[data-kind="section"]');
    assert.equal(sections[0].replace(/0x.*$/, ''), 'DB 0 — 25 keys, 2 expires (RESIZEDB hint 25 keys, 2 expires)');
    const user1 = await keyRowText(page, 0);
    assert.match(user1, /^user:1hashhash-listpack.*idle 5 min3 fields/);
    const abc = await page.getAttribute('.row[data-kind="key"][data-id="12"]', 'aria-label');
    assert.match(abc, /^session:abc · string · string · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d · expired 3 h before the save · expired [\d.]+ (d|y) ago/);
    const def = await page.getAttribute('.row[data-kind="key"][data-id="13"]', 'aria-label');
    assert.match(def, /in 2 d after the save/);
    const rows = await page.$$eval('.row[data-kind="key"]', (els) => els.map((e) => e.getAttribute('aria-label').split(' · ')[0]));
    assert.deepEqual(rows.slice(0, 4), ['user:1', 'user:2', 'user:3', 'user:4']);
    // ARIA tree semantics.
    assert.equal(await page.getAttribute('.tree', 'role'), 'tree');
    assert.equal(await page.getAttribute('.row[data-kind="key"][data-id="0"]', 'role'), 'treeitem');
    assert.equal(await page.getAttribute('.row[data-kind="key"][data-id="0"]', 'aria-level'), '2');
    assert.equal(await page.getAttribute('.row[data-kind="section"]', 'aria-expanded'), 'true');
    // A damaged key: error icon and the underline class.
    const damaged = await page.$eval('.row[data-kind="key"][data-id="23"]', (e) => [e.classList.contains('damaged'), !!e.querySelector('.codicon-error')]);
    assert.deepEqual(damaged, [true, true]);
  });

  await test('hostile key name is text, no element is created from it', async () => {
    await act(page, { kind: 'scrollTo', row: 18 });
    const hostile = await keyRowText(page, 20);
    assert.ok(hostile.startsWith('<img src=x onerror=alert(1)>'), hostile);
    assert.equal(await page.$$eval('img', (e) => e.length), 0);
    assert.equal(await page.$$eval('#app script', (e) => e.length), 0);
  });

  await test('expand a stream: entries, consumer groups with lag, consumers and pending', async () => {
    const st = await act(page, { kind: 'expandPath', path: 'k14/groups/0' });
    const joined = st.rows.join('\n');
    assert.match(joined, /Entries \(6\)/);
    assert.match(joined, /Consumer groups \(2\)/);
    assert.match(joined, /mailers · last id 1714557600003-0 · entries-read 4 · lag 2 · 2 consumers · 2 pending/);
    assert.match(joined, /audit · last id 1714557600005-0/);
    assert.match(joined, /Consumers \(2\)/);
    assert.match(joined, /Pending entries \(2\)/);
    const groups = await texts(page, '.row[data-kind="group"]');
    assert.equal(groups.length, 2);
    assert.match(groups[0], /^mailers/);
    assert.equal(await page.getAttribute('.row[data-kind="key"][data-id="14"]', 'aria-expanded'), 'true');
    // Segments by label, as a user reads the tree: section, key name, node, group name.
    const byLabel = await act(page, { kind: 'expandPath', path: 'db 0/events/groups/mailers/consumers' });
    assert.match(byLabel.selected, /^Consumers \(2\)/);
    const consumers = await page.$$eval('.row[data-kind="consumer"]', (els) => els.map((e) => e.getAttribute('aria-label')));
    assert.match(consumers[0], /^alice · 1 pending entry · seen/);
  });

  await test('screenshot (dark, tree)', async () => {
    await act(page, { kind: 'scrollTo', row: 0 });
    await page.screenshot({ path: join(root, 'out/webview-harness-dark.png') });
  });

  await test('filter "user:*" (test hook): exact count and rows', async () => {
    const st = await act(page, { kind: 'filter', filter: { pattern: 'user:*' } });
    assert.equal(st.matchCount, 12);
    assert.equal(await page.textContent('#match-count'), '12 matches');
    assert.equal(await page.inputValue('#filter-pattern'), 'user:*');
    const names = await page.$$eval('.row[data-kind="key"]', (els) => els.map((e) => e.getAttribute('aria-label').split(' · ')[0]));
    assert.deepEqual(names, ['user:1', 'user:2', 'user:3', 'user:4', 'user:5', 'user:6', 'user:7', 'user:8', 'user:9', 'user:10', 'user:11', 'user:100']);
    const secs = await texts(page, '.row[data-kind="section"] .desc');
    assert.deepEqual(secs, ['11 matches', '1 match']);
  });

  await test('filter by typing, Enter / Shift+Enter jump between matches', async () => {
    await page.fill('#filter-pattern', 'session:*');
    await page.waitForFunction(() => document.querySelector('#match-count').textContent === '2 matches');
    await settle(page);
    await page.focus('#filter-pattern');
    await page.keyboard.press('Enter');
    await settle(page);
    assert.match(await page.textContent('.row.selected'), /^session:abc/);
    await page.keyboard.press('Enter');
    await settle(page);
    assert.match(await page.textContent('.row.selected'), /^session:def/);
    await page.keyboard.press('Shift+Enter');
    await settle(page);
    assert.match(await page.textContent('.row.selected'), /^session:abc/);
    await page.keyboard.press('F3');
    await settle(page);
    assert.match(await page.textContent('.row.selected'), /^session:def/);
    // Type and TTL filters through the controls.
    await page.fill('#filter-pattern', '');
    await page.click('.chip[data-type="zset"]');
    await page.waitForFunction(() => document.querySelector('#match-count').textContent === '1 match');
    await page.click('.chip[data-type="zset"]');
    await page.selectOption('#ttl', 'expired-at-save');
    await page.waitForFunction(() => document.querySelector('#match-count').textContent === '1 match');
    await settle(page);
    assert.match(await page.textContent('.row[data-kind="key"]'), /^session:abc/);
    await page.selectOption('#ttl', '');
    await page.fill('#min-size', '10k');
    await page.waitForFunction(() => document.querySelector('#match-count').textContent === '1 match');
    await settle(page);
    assert.match(await page.textContent('.row[data-kind="key"]'), /^blob/);
    await page.fill('#min-size', '');
    await page.waitForFunction(() => document.querySelector('#match-count').textContent === '46 keys');
    const queries = (await sent(page)).filter((m) => m.type === 'query');
    assert.ok(queries.some((q) => q.filter.minSize === 10240), 'minSize 10k = 10240 bytes');
    assert.ok(queries.some((q) => q.filter.ttl === 'expired-at-save'));
  });

  await test('keyboard navigation: Home, arrows, Right expands, Left collapses, End', async () => {
    await settle(page);
    await page.focus('.tree');
    await page.keyboard.press('Home');
    await settle(page);
    assert.equal(await page.getAttribute('.row.selected', 'data-kind'), 'header');
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('selected')), true, 'roving tabindex: focus on the selected row');
    assert.equal(await page.getAttribute('.row.selected', 'tabindex'), '0');
    await page.keyboard.press('ArrowRight');
    await settle(page);
    assert.equal(await page.getAttribute('.row[data-kind="header"]', 'aria-expanded'), 'true');
    await page.keyboard.press('ArrowRight');
    await settle(page);
    assert.equal(await page.getAttribute('.row.selected', 'data-kind'), 'aux');
    assert.match(await page.textContent('.row.selected'), /^redis-ver/);
    await page.keyboard.press('ArrowLeft');
    await settle(page);
    assert.equal(await page.getAttribute('.row.selected', 'data-kind'), 'header');
    await page.keyboard.press('ArrowLeft');
    await settle(page);
    assert.equal(await page.getAttribute('.row[data-kind="header"]', 'aria-expanded'), 'false');
    await page.keyboard.press('ArrowDown');
    await settle(page);
    assert.match(await page.textContent('.row.selected'), /^Function libraries \(1\)/);
    await page.keyboard.press('ArrowDown');
    await settle(page);
    assert.match(await page.textContent('.row.selected'), /^DB 0/);
    await page.keyboard.press('ArrowDown');
    await settle(page);
    assert.match(await page.textContent('.row.selected'), /^user:1/);
    await page.keyboard.press('Enter');
    await settle(page);
    assert.equal(await page.getAttribute('.row.selected', 'aria-expanded'), 'true');
    assert.match((await texts(page, '.row[data-kind="element"]')).join('\n'), /name → Ada/);
    await page.keyboard.press('Space');
    await settle(page);
    assert.equal(await page.getAttribute('.row.selected', 'aria-expanded'), 'false');
    await page.keyboard.press('End');
    await settle(page);
    assert.equal(await page.getAttribute('.row.selected', 'data-kind'), 'problem');
    await page.keyboard.press('Enter');
    await settle(page);
    assert.match(await page.textContent('.row.selected'), /^damaged:key/, 'a problem reveals its key');
  });

  await test('context menu: copy key, offset, reveal in hex editor', async () => {
    await act(page, { kind: 'scrollTo', row: 0 });
    await page.click('.row[data-kind="key"][data-id="0"]', { button: 'right' });
    const items = await texts(page, '.context-menu .menu-label');
    assert.deepEqual(items.slice(0, 3), ['Copy Key', 'Copy Value', 'Copy as RESP Command']);
    assert.ok(items.some((i) => i.startsWith('Copy Offset (0x')));
    assert.ok(items.includes('Reveal in Hex Editor'));
    await page.click('.context-menu .menu-item:has-text("Copy Key")');
    assert.equal(await page.$('.context-menu'), null);
    await page.keyboard.press('Control+Alt+H');
    await page.keyboard.press('Control+Shift+C');
    await page.waitForTimeout(50);
    const m = await sent(page);
    assert.ok(m.some((x) => x.type === 'copy' && x.what === 'key' && x.keyId === 0));
    assert.ok(m.some((x) => x.type === 'revealOffset' && typeof x.offset === 'number' && x.part === 0));
    assert.ok(m.some((x) => x.type === 'copy' && x.what === 'value' && x.keyId === 0));
  });

  await test('display modes: hex and JSON', async () => {
    await act(page, { kind: 'display', mode: 'hex' });
    const st = await act(page, { kind: 'scrollTo', row: 18 });
    assert.ok(st.rows.some((r) => r.startsWith('62 69 6e 3a 00 ff 0a 41')), st.rows.join('\n'));
    await act(page, { kind: 'display', mode: 'escaped' });
    assert.match(await keyRowText(page, 19), /^"bin:\\x00\\xff\\nA"/);
    await act(page, { kind: 'display', mode: 'json' });
    const cfg = await act(page, { kind: 'expandKey', keyId: 18 });
    assert.ok(cfg.rows.some((r) => r.startsWith('{"maxmemory":"1gb","policy":"allkeys-lru","replicas":[1,2]}')), cfg.rows.join('\n'));
    await act(page, { kind: 'display', mode: 'text' });
  });

  await test('summary view: totals, tables, bars and a treemap of prefixes', async () => {
    const st = await act(page, { kind: 'view', view: 'summary' });
    assert.equal(st.view, 'summary');
    assert.equal(await page.isVisible('#summary'), true);
    assert.equal(await page.isVisible('.tree'), false);
    const cards = await texts(page, '#summary .card');
    assert.ok(cards[0].startsWith('46keys'), cards[0]);
    const tiles = await page.$$eval('#summary .tile', (els) => els.map((e) => ({ label: e.querySelector('.tile-label').textContent, w: e.getBoundingClientRect().width, h: e.getBoundingClientRect().height })));
    assert.ok(tiles.length >= 4, `tiles: ${tiles.length}`);
    const labels = tiles.map((t) => t.label);
    for (const p of ['user:', 'queue:', 'session:']) assert.ok(labels.includes(p), `tile ${p} in ${labels}`);
    assert.ok(tiles.every((t) => t.w > 0 && t.h > 0));
    const area = tiles.reduce((n, t) => n + t.w * t.h, 0);
    const box = await page.$eval('#summary .prefix-map', (e) => e.getBoundingClientRect().width * e.getBoundingClientRect().height);
    assert.ok(Math.abs(area - box) / box < 0.02, `tiles fill the map (${area} of ${box})`);
    assert.equal((await texts(page, '#summary .bars .bar-row')).length > 0, true);
    const biggest = await texts(page, '#summary table.biggest .link-button');
    assert.equal(biggest[0], 'blob:big');
    await page.screenshot({ path: join(root, 'out/webview-harness-summary-dark.png') });
    await (await page.$('#summary .prefix-map')).screenshot({ path: join(root, 'out/webview-harness-treemap-dark.png') });
    // Narrow: bars instead of the treemap.
    await page.setViewportSize({ width: 420, height: 760 });
    await page.waitForFunction(() => !document.querySelector('#summary .prefix-map.treemap'));
    assert.ok((await page.$$('#summary .prefix-map .bar-row')).length >= 4);
    await page.setViewportSize({ width: 1280, height: 760 });
    // Click a prefix tile: back to the tree, filtered by that prefix.
    await page.click('#summary .tile[aria-label^="user:"]');
    await page.waitForFunction(() => document.querySelector('#match-count').textContent === '12 matches');
    assert.equal(await page.inputValue('#filter-pattern'), 'user:*');
    await act(page, { kind: 'filter', filter: {} });
    await act(page, { kind: 'view', view: 'summary' });
    // Click the biggest key: back to the tree, revealed and selected.
    await page.waitForSelector('#summary .tile');
    await page.click('#summary table.biggest .link-button');
    await settle(page);
    assert.equal(await page.isVisible('.tree'), true);
    assert.match(await page.textContent('.row.selected'), /^blob/);
  });

  await test('state survives a reload (tab switch): filter, expanded key, display', async () => {
    await act(page, { kind: 'filter', filter: { pattern: 'queue:*' } });
    await act(page, { kind: 'expandKey', keyId: 15 });
    await act(page, { kind: 'display', mode: 'escaped' });
    await page.waitForTimeout(400); // setState is throttled
    await page.reload();
    await page.waitForFunction(() => window.mockHost?.indexingDone === true);
    await page.waitForFunction(() => document.querySelector('#match-count')?.textContent === '1 match');
    const st = await settle(page);
    assert.equal(await page.inputValue('#filter-pattern'), 'queue:*');
    assert.equal(await page.getAttribute('.seg[data-mode="escaped"]', 'aria-checked'), 'true');
    assert.equal(await page.getAttribute('.row[data-kind="key"][data-id="15"]', 'aria-expanded'), 'true');
    assert.ok(st.rows.some((r) => r.startsWith('0"job-0000"')), st.rows.slice(0, 8).join('\n'));
    await page.evaluate(() => window.mockHost.clearState());
  });

  await test('value pages load while scrolling a 500-item list', async () => {
    const st = await act(page, { kind: 'scrollTo', row: 480 });
    assert.ok(st.rows.some((r) => /^4\d\d"job-04\d\d"/.test(r)), st.rows.join('\n'));
    const m = (await sent(page)).filter((x) => x.type === 'value' && x.keyId === 15);
    assert.ok(m.some((x) => x.from >= 400), 'a later page was requested');
  });
  await context.close();

  // ---- indexing in progress -------------------------------------------------------------------
  {
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    const ip = await context.newPage();
    ip.on('pageerror', (e) => problems.push(`[pageerror indexing] ${e.message}`));
    await ip.goto(`${harness}?data=small&theme=dark&indexMs=60000`);
    await test('indexing: progress with percentage, keys/s and Cancel; "so far" counts', async () => {
      await ip.waitForSelector('#progress:not([hidden])');
      await ip.waitForFunction(() => /keys\/s/.test(document.querySelector('#progress').textContent));
      assert.match(await ip.textContent('#progress'), /^Indexing \d+(\.\d)?% · \d+ keys? · [\d,]+ keys\/s\s*Cancel$/);
      await ip.waitForFunction(() => /so far/.test(document.querySelector('#match-count').textContent));
      assert.equal((await ip.textContent('#verdict')).trim(), 'Valid so far');
      await ip.click('#progress button');
      await ip.waitForFunction(() => /cancelled/.test(document.querySelector('#progress').textContent));
      assert.ok((await sent(ip)).some((m) => m.type === 'cancelIndex'));
      // Indexing is over (cancelled): the query is asked again; what was indexed stays partial.
      await ip.waitForFunction(() => document.querySelector('#match-count').textContent === '46 keys so far');
      const queries = (await sent(ip)).filter((m) => m.type === 'query').length;
      assert.ok(queries >= 2, `the query is re-issued when indexing ends (${queries})`);
    });
    await context.close();
  }

  // ---- small RDB, light (screenshot) -------------------------------------------------------------
  {
    const { page: lp, context: lc } = await open('data=small&theme=light&indexMs=0');
    await test('screenshot (light, tree + summary)', async () => {
      await act(lp, { kind: 'expandKey', keyId: 0 });
      await act(lp, { kind: 'scrollTo', row: 0 });
      await lp.screenshot({ path: join(root, 'out/webview-harness-light.png') });
      await act(lp, { kind: 'view', view: 'summary' });
      await lp.screenshot({ path: join(root, 'out/webview-harness-summary-light.png') });
    });
    await lc.close();
  }

  // ---- 10,000,000 keys -----------------------------------------------------------------------------
  {
    const { page: bp, context: bc } = await open('data=big&theme=dark&indexMs=200');
    await test('10M keys: count, end of the list by test hook, few DOM rows', async () => {
      assert.equal(await bp.textContent('#match-count'), '10,000,000 keys');
      const st = await act(bp, { kind: 'scrollTo', row: 10_000_010 });
      assert.equal(st.totalRows, 10_000_002);
      assert.ok(st.rows.some((r) => r.startsWith('key:9999999')), st.rows.slice(-3).join('\n'));
      assert.ok(await bp.isVisible('.row[data-kind="key"][data-id="9999999"]'));
      const n = await bp.$$eval('.row', (e) => e.length);
      assert.ok(n < 200, `DOM rows: ${n}`);
      const h = await bp.$eval('.tree', (e) => e.scrollHeight);
      assert.ok(h <= 8_000_000 + 2000, `scroll space capped: ${h}`);
    });
    await test('10M keys: scrolling with the scrollbar maps proportionally (middle, end)', async () => {
      await bp.$eval('.tree', (e) => (e.scrollTop = (e.scrollHeight - e.clientHeight) / 2));
      await bp.waitForTimeout(50);
      let st = await settle(bp);
      const mid = st.rows.map((r) => /^key:(\d+)/.exec(r)?.[1]).filter(Boolean).map(Number);
      assert.ok(mid.length > 10 && Math.abs(mid[0] - 5_000_000) < 100, `middle rows start at ${mid[0]}`);
      await bp.$eval('.tree', (e) => (e.scrollTop = e.scrollHeight));
      await bp.waitForTimeout(50);
      st = await settle(bp);
      assert.ok(st.rows.some((r) => r.startsWith('key:9999999')));
      assert.ok((await bp.$$eval('.row', (e) => e.length)) < 200);
      assert.ok(!(await texts(bp, '.row')).some((t) => t.includes('loading…')));
    });
    await test('10M keys: keyboard End and PageUp, wheel moves by rows', async () => {
      await bp.focus('.tree');
      await bp.keyboard.press('Home');
      await bp.keyboard.press('End');
      await settle(bp);
      assert.match(await bp.textContent('.row.selected'), /^key:9999999/);
      await bp.keyboard.press('PageUp');
      await settle(bp);
      const sel = await bp.getAttribute('.row.selected', 'data-id');
      assert.ok(Number(sel) < 9_999_999 && Number(sel) > 9_999_950, sel);
      await bp.keyboard.press('Home');
      await settle(bp);
      await bp.mouse.move(600, 400);
      await bp.mouse.wheel(0, 220);
      await bp.waitForTimeout(50);
      const st = await settle(bp);
      const first = st.rows.map((r) => /^key:(\d+)/.exec(r)?.[1]).filter(Boolean).map(Number)[0];
      assert.ok(first <= 20, `a wheel notch scrolls rows, not 1/N of 10M (first key ${first})`);
      await bp.screenshot({ path: join(root, 'out/webview-harness-big-dark.png') });
    });
    await bc.close();
  }

  // ---- AOF with damage and repairs, light ----------------------------------------------------------
  {
    const { page: ap, context: ac } = await open('data=aof&theme=light&indexMs=150');
    await test('AOF: verdict, banner with offset, repair buttons post repair/undoRepair', async () => {
      const verdict = (await ap.textContent('#verdict')).trim();
      assert.equal(verdict, 'Damaged — valid up to offset 0x1C1D0 (115152)');
      const banner = await ap.textContent('#banner');
      assert.match(banner, /the AOF ends in the middle of a command/);
      assert.match(banner, /offset 0x1C1EF \(115183\)/);
      const buttons = await texts(ap, '#repairs button');
      assert.equal(buttons.length, 2);
      assert.match(buttons[0], /Remove the incomplete last command\s*removes 78 bytes \/ 1 command at 0x1C1D0–0x1C21E/);
      await ap.click('#repairs button[data-index="1"]');
      await ap.waitForSelector('#repairs button[data-undo]');
      await ap.click('#repairs button[data-undo]');
      await ap.waitForFunction(() => !document.querySelector('#repairs button[data-undo]'));
      await ap.click('#banner >> text=Show in Problems panel');
      const m = await sent(ap);
      assert.ok(m.some((x) => x.type === 'repair' && x.index === 1));
      assert.ok(m.some((x) => x.type === 'undoRepair'));
      assert.ok(m.some((x) => x.type === 'openProblems'));
    });
    await test('AOF: command rows with RESP highlighting, DB badge, MULTI/EXEC bracket, #TS time', async () => {
      const cmds = await ap.$$eval('.row[data-kind="command"]', (els) => els.slice(0, 2).map((e) => ({ t: e.textContent, kw: e.querySelector('.tok-keyword')?.textContent, badge: e.querySelector('.db-badge')?.textContent })));
      // SELECT names the DB; the badge marks the first command that runs in it.
      assert.deepEqual([cmds[0].kw, cmds[0].badge, cmds[1].badge], ['SELECT', undefined, 'db 0']);
      assert.match(cmds[0].t, /^#1\d{4}-\d\d-\d\d \d\d:\d\d:\d\dSELECT 0/);
      const hset = await ap.$eval('.row[data-kind="command"]:has(.tok-command)', (e) => [...e.querySelectorAll('[class^="tok-"]')].map((s) => `${s.className}:${s.textContent}`));
      assert.ok(hset.length >= 2);
      const tx = await ap.$$eval('.row[data-kind="command"] .tx-bracket', (els) => els.map((e) => e.className));
      assert.ok(tx.includes('tx-bracket tx-start') && tx.includes('tx-bracket tx-end') && tx.includes('tx-bracket tx-mid'), tx.join(','));
      const num = await ap.$$eval('.row[data-kind="command"] .tok-number', (els) => els.map((e) => e.textContent));
      assert.ok(num.includes('3600'));
      const unknown = await ap.$$eval('.row[data-kind="command"] .tok-invalid', (els) => els.map((e) => e.textContent));
      assert.ok(unknown.length === 0 || unknown.includes('FROBNICATE'));
      await ap.screenshot({ path: join(root, 'out/webview-harness-aof-light.png') });
    });
    await test('AOF: "Show" reveals the damaged command; the last command is marked invalid', async () => {
      await ap.click('#banner-show');
      await settle(ap);
      const sel = await ap.$eval('.row.selected', (e) => ({ t: e.textContent, cls: e.className, inv: e.querySelectorAll('.tok-invalid').length }));
      assert.match(sel.t, /^#2400/);
      assert.ok(sel.cls.includes('after-damage') && sel.inv > 0);
    });
    await test('AOF: summary shows commands by name as bars', async () => {
      await act(ap, { kind: 'view', view: 'summary' });
      const bars = await ap.$$eval('#summary .bar-row', (els) => els.map((e) => e.getAttribute('aria-label')));
      assert.deepEqual(bars.slice(0, 3), ['SET: 800', 'HSET: 760', 'RPUSH: 700']);
    });
    await ac.close();
  }

  // ---- multi-part AOF --------------------------------------------------------------------------------
  {
    const { page: mp, context: mc } = await open('data=manifest&theme=dark&indexMs=0');
    await test('manifest: files in load order, history not loaded, keys and commands per part', async () => {
      const parts = await mp.$$eval('.row[data-kind="part"]', (els) => els.map((e) => e.getAttribute('aria-label')));
      assert.equal(parts.length, 4);
      assert.match(parts[0], /^appendonly\.aof\.1\.base\.rdb · base · seq 1/);
      assert.match(parts[1], /^appendonly\.aof\.1\.incr\.aof · incr · seq 1/);
      assert.match(parts[2], /^appendonly\.aof\.2\.incr\.aof · incr · seq 2/);
      assert.match(parts[3], /^appendonly\.aof\.0\.base\.rdb · history · seq 0 · 4\.0 KB · not loaded/);
      assert.equal(await mp.getAttribute('.row[data-kind="part"]:nth-child(1)', 'role'), 'treeitem');
      const cmds = await texts(mp, '.row[data-kind="commands"]');
      assert.ok(cmds.some((c) => c.startsWith('Commands (300)')));
    });
    await mc.close();
  }
} finally {
  await browser.close();
}

for (const p of problems) console.log(`  note ${p}`);
const pageErrors = problems.filter((p) => p.startsWith('[pageerror') || p.startsWith('[dialog') || /Content Security Policy/.test(p));
if (pageErrors.length) {
  failed++;
  console.log(`  FAIL page errors / CSP violations / dialogs: ${pageErrors.length}`);
}
console.log(`${passed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
process.exit(failed ? 1 : 0);
