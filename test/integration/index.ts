// Entry of the integration suite, loaded by a real VS Code extension host: the
// extensionTestsPath contract shared by code-server's web workbench (driven by
// scripts/e2e-run.mjs) and @vscode/test-electron (runElectron.ts). The host
// requires this bundle (out/integration/index.js) and awaits run(); resolving
// means every test passed. Each *.test.ts is its own bundle beside this one.
//
// Environment (set on code-server by the runner, inherited by the host):
//   E2E_RESULTS_FILE  write {passed, failed, pending} as JSON there, for the runner's summary
//   E2E_GREP          run only the tests whose full title matches this regular expression
//   E2E_FAIL_ON_PURPOSE=1  makes the harness self-test fail (checks the red path end to end)

import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

interface Results {
  passed: string[];
  failed: { title: string; error: string }[];
  pending: string[];
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  if (process.env.E2E_GREP) mocha.grep(new RegExp(process.env.E2E_GREP));
  for (const f of readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(join(__dirname, f));
  const results: Results = { passed: [], failed: [], pending: [] };
  // scripts/e2e-run.mjs shows the workbench's start-up log only with E2E_VERBOSE, up to this line.
  console.log('E2E_SUITE_START');
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const out = process.env.E2E_RESULTS_FILE;
        if (out) writeFileSync(out, JSON.stringify(results, null, 2));
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
      runner.on('pass', (t) => results.passed.push(t.fullTitle()));
      runner.on('pending', (t) => results.pending.push(t.fullTitle()));
      runner.on('fail', (t, err: unknown) =>
        results.failed.push({ title: t.fullTitle(), error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
