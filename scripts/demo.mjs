// Try the extension in a real VS Code, in a browser: starts the integration harness's
// code-server (VS Code 1.99.3, scripts/e2e-lib.mjs) on 127.0.0.1 with throwaway user-data and
// extensions dirs, installs the packaged .vsix into it as a user would
// (`code-server --install-extension`), prepares a sample workspace in a temp folder — a healthy
// RDB, a hybrid AOF, a multi-part AOF directory, a damaged AOF and a multi-part set damaged in a
// file that is not the last, all written by redis-server 7.0.15 (test/fixtures) — prints the
// address to open, and runs until Ctrl+C; then stops code-server (its process group, by PID) and
// removes the temp folders (kept with KEEP_TMP=1).
//
// Usage: npm run demo   (= npm run package && node scripts/demo.mjs)
// Needs the harness (bash scripts/e2e-install.sh); run here when e2e/harness/node_modules is missing.
// Env: DEMO_VSIX=<file> (default: the <name>-<version>.vsix `npm run package` writes), E2E_VERBOSE=1.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODE_SERVER, startCodeServer, workbenchUrl } from './e2e-lib.mjs';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const vsix = path.resolve(process.env.DEMO_VSIX ?? path.join(root, `${pkg.name}-${pkg.version}.vsix`));
const verbose = !!process.env.E2E_VERBOSE;
const fixtures = path.join(root, 'test', 'fixtures');

/** The sample workspace: [path in the workspace, fixture file or folder]. */
const SAMPLES = [
  ['rdb/dump.rdb', 'rdb/ok/dump-7.0.15-all-types.rdb'],
  ['hybrid/appendonly.aof', 'aof/ok/old-style-hybrid.aof'],
  ['multipart/appendonlydir', 'aof/ok/multipart-rdb-base-ts'],
  ['damaged/appendonly.aof', 'aof/err/aof-truncated-in-bulk.aof'],
  ['damaged-multipart/appendonlydir', 'aof/err/mp-nonlast-incr-truncated'],
];

const GUIDE = `# Redis Persistence Inspector: sample workspace

Temporary copies of files written by redis-server 7.0.15 (edit and repair them freely).

| path | what it is |
|---|---|
| \`rdb/dump.rdb\` | a healthy RDB snapshot with every data type |
| \`hybrid/appendonly.aof\` | a hybrid AOF: an RDB preamble, then commands |
| \`multipart/appendonlydir/\` | a Redis 7 multi-part AOF: manifest, RDB base, INCR file |
| \`damaged/appendonly.aof\` | an AOF whose last command is cut short |
| \`damaged-multipart/appendonlydir/\` | a multi-part set damaged in an INCR file that is not the last |

Things to try (F1 opens the command palette; the commands are under "Redis Inspector"):

- Right-click a file in the Explorer: **Check Redis Persistence File** — the verdict in the Problems view.
- Open \`damaged/appendonly.aof\`: the damage is underlined; the light bulb offers the repairs.
- **Repair AOF File (with Backup)…** on \`damaged-multipart/appendonlydir/appendonly.aof.manifest\`,
  then **Undo Last AOF Repair** puts every file back from the backup folder.
- Right-click \`rdb/dump.rdb\`: **Select Snapshot for Compare**, then **Compare Snapshot With…** another RDB.
`;

function fail(message) {
  console.error(`demo: ${message}`);
  process.exit(1);
}

if (!fs.existsSync(vsix)) fail(`${path.relative(root, vsix)} is missing: run npm run package first (npm run demo does both)`);
if (!fs.existsSync(path.join(root, 'e2e', 'harness', 'node_modules')) || !fs.existsSync(CODE_SERVER)) {
  console.log('demo: code-server is not installed in e2e/harness: running bash scripts/e2e-install.sh (about 1.5 min, once)');
  try {
    execFileSync('bash', [path.join(root, 'scripts', 'e2e-install.sh')], { cwd: root, stdio: 'inherit' });
  } catch (e) {
    fail(`the harness install failed (${e.message})`);
  }
  if (!fs.existsSync(CODE_SERVER)) fail(`the harness install finished without ${CODE_SERVER}`);
}

let cs;
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await cs?.stop(); // SIGTERM, then SIGKILL, to code-server's process group; removes its temp dir (workspace included)
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.log(`\ndemo: ${sig}: stopping code-server${process.env.KEEP_TMP ? '' : ' and removing the temp folders'}`);
    void stop(0);
  });
}

try {
  cs = await startCodeServer({ verbose });
  // startCodeServer's throwaway dirs: <tmp>/user-data and <tmp>/extensions. The .vsix goes there, as a
  // user installs one, before the first window opens (the extension host scans the dir when it starts).
  const install = execFileSync(
    process.execPath,
    [CODE_SERVER, '--config', path.join(cs.tmp, 'config.yaml'), '--user-data-dir', path.join(cs.tmp, 'user-data'),
      '--extensions-dir', path.join(cs.tmp, 'extensions'), '--install-extension', vsix, '--force'],
    { env: { ...process.env, XDG_CONFIG_HOME: path.join(cs.tmp, 'xdg'), XDG_DATA_HOME: path.join(cs.tmp, 'xdg'), EXTENSIONS_GALLERY: '{}' }, encoding: 'utf8' },
  );
  if (verbose) process.stdout.write(install);
  const id = `${pkg.publisher}.${pkg.name}`;
  const listed = execFileSync(process.execPath, [CODE_SERVER, '--config', path.join(cs.tmp, 'config.yaml'), '--extensions-dir', path.join(cs.tmp, 'extensions'), '--list-extensions'], {
    env: { ...process.env, XDG_CONFIG_HOME: path.join(cs.tmp, 'xdg'), XDG_DATA_HOME: path.join(cs.tmp, 'xdg'), EXTENSIONS_GALLERY: '{}' },
    encoding: 'utf8',
  });
  if (!listed.split('\n').includes(id)) throw new Error(`${id} is not installed after --install-extension:\n${install}${listed}`);

  const workspace = path.join(cs.tmp, 'redis-inspector-demo');
  for (const [to, from] of SAMPLES) {
    fs.mkdirSync(path.dirname(path.join(workspace, to)), { recursive: true });
    fs.cpSync(path.join(fixtures, from), path.join(workspace, to), { recursive: true });
  }
  fs.writeFileSync(path.join(workspace, 'README.md'), GUIDE);

  cs.child.once('exit', (c) => {
    if (stopping) return;
    console.error(`demo: code-server exited (${c}):\n${cs.log.join('').trimEnd()}`);
    void stop(1);
  });
  const url = workbenchUrl(cs, { folder: workspace });
  console.log(`Redis Persistence Inspector ${pkg.version} (${path.relative(root, vsix)}) installed in code-server on ${cs.url}`);
  console.log(`sample workspace: ${workspace}`);
  console.log(`\nOpen in a browser:\n\n  ${url}\n`);
  const port = cs.authority.split(':')[1];
  console.log(`(listening on 127.0.0.1 only: from another machine, forward the port, e.g. ssh -L ${port}:127.0.0.1:${port} this-host)`);
  console.log('Ctrl+C stops code-server and removes the temp folders.');
} catch (e) {
  console.error(`demo: ${e.stack ?? e}`);
  await stop(1);
}
