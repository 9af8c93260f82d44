// One esbuild script for every bundle (STYLE.md §6): the extension host (node,
// cjs, 'vscode' external), the CLI, the worker and the webview (browser).
// `--production` minifies and drops source maps; `--watch` rebuilds on change.
// `--integration` builds only the integration suite (test/integration → out/integration:
// index.js exporting run() plus one bundle per *.test.ts, 'vscode' and 'mocha' external),
// which scripts/e2e-run.mjs loads into a real VS Code extension host.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the `file:line:col: error: message` form VS Code's problem matchers read. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
    });
  },
};

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [problemMatcher],
};

const targets = [
  { entryPoints: ['src/cli/cli.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { entryPoints: ['src/worker/worker.ts'], outfile: 'dist/worker.js', platform: 'node', format: 'cjs', target: 'node20' },
  { entryPoints: ['src/worker/editorWorker.ts'], outfile: 'dist/editorWorker.js', platform: 'node', format: 'cjs', target: 'node20' },
  { entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
  { entryPoints: ['src/webview/diff/main.ts'], outfile: 'dist/diffView.js', platform: 'browser', format: 'iife', target: 'es2022' },
].filter((t) => existsSync(t.entryPoints[0]));

const integration = process.argv.includes('--integration');
if (integration) {
  const dir = 'test/integration';
  const tests = readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => `${dir}/${f}`);
  rmSync('out/integration', { recursive: true, force: true }); // no stale *.test.js from deleted tests
  targets.splice(0, targets.length,
    // Loaded by the extension host: the mocha entry and the test files (each its own bundle, added by index.js).
    { entryPoints: [`${dir}/index.ts`, ...tests], outdir: 'out/integration', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'mocha'] },
    // Run by node: the @vscode/test-electron launcher (desktop VS Code; needs a download, so not in CI).
    { entryPoints: [`${dir}/runElectron.ts`], outfile: 'out/integration-electron/runElectron.js', platform: 'node', format: 'cjs', target: 'node20', external: ['@vscode/test-electron'] },
  );
}

if (watch) {
  for (const t of targets) {
    const ctx = await esbuild.context({ ...common, ...t });
    await ctx.watch();
  }
} else {
  await Promise.all(targets.map((t) => esbuild.build({ ...common, ...t })));
  if (!integration) chmodSync('dist/cli.js', 0o755);
}
if (!integration) copyCodicons();

/** The webview's icon font (@vscode/codicons): codicon.css + codicon.ttf into dist/codicons/ (shipped, see .vscodeignore). */
function copyCodicons() {
  const from = 'node_modules/@vscode/codicons/dist';
  mkdirSync('dist/codicons', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`${from}/${f}`, `dist/codicons/${f}`);
}
