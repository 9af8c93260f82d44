// Runs the `redis-inspect` CLI in a child process, as a user or a script would
// (exit status, signal, stdout, stderr), optionally killing itself at a fault
// point (REDIS_INSPECT_FAULT, src/cli/fix.ts) for the crash-safety tests.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * `from: 'dist'` runs the built bundle (dist/cli.js, as shipped); `'src'` the
 * sources through tsx (no build needed). `fault` sets REDIS_INSPECT_FAULT.
 */
export function runCli(args: string[], options: { from: 'dist' | 'src'; fault?: string }): CliRun {
  const env = { ...process.env };
  delete env.REDIS_INSPECT_FAULT;
  if (options.fault) env.REDIS_INSPECT_FAULT = options.fault;
  const entry = options.from === 'dist' ? [path.join(ROOT, 'dist', 'cli.js')] : ['--require', 'tsx/cjs', path.join(ROOT, 'src', 'cli', 'cli.ts')];
  const r = spawnSync(process.execPath, [...entry, ...args], { cwd: ROOT, encoding: 'utf8', input: '', env, timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
