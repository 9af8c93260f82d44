// The workspace folder the integration tests open: a throwaway copy of the RDB
// fixtures plus small AOF files written here from their exact bytes, so the
// tests (test/integration/*.test.ts) know what every byte and line is.
// Shared by scripts/e2e-run.mjs (code-server) and test/integration/runElectron.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One RESP command as Redis writes it to an AOF: *argc, then $len + bytes per argument. */
export function resp(...args) {
  return Buffer.concat([
    Buffer.from(`*${args.length}\r\n`),
    ...args.map((a) => Buffer.concat([Buffer.from(`$${Buffer.byteLength(a)}\r\n`), Buffer.from(a), Buffer.from('\r\n')])),
  ]);
}

/** The AOF files, by path relative to the workspace. */
export function aofFixtures() {
  const select = resp('SELECT', '0');
  const setB = resp('SET', 'b', 'hello');
  return {
    // Healthy: four commands.
    'aof/valid.aof': Buffer.concat([select, resp('SET', 'a', '1'), resp('RPUSH', 'list', 'x', 'y'), resp('INCR', 'counter')]),
    // The last record ends inside its last argument ("hel" of "hello"): aof.truncated, on the line of its '*3'.
    'aof/truncated.aof': Buffer.concat([select, resp('SET', 'a', '1'), setB.subarray(0, setB.length - 4)]),
    // A line of garbage between two records: aof.format-error on the GARBAGE line.
    'aof/bad-format.aof': Buffer.concat([select, resp('SET', 'a', '1'), Buffer.from('GARBAGE\r\n'), resp('SET', 'c', '2')]),
    // Multi-part (Redis 7 appendonlydir): a base, then two INCR files; the last one is truncated.
    'aof/appendonlydir/appendonly.aof.manifest': Buffer.from(
      'file appendonly.aof.1.base.aof seq 1 type b\n' +
        'file appendonly.aof.1.incr.aof seq 1 type i\n' +
        'file appendonly.aof.2.incr.aof seq 2 type i\n',
    ),
    'aof/appendonlydir/appendonly.aof.1.base.aof': Buffer.concat([select, resp('SET', 'base', 'v')]),
    'aof/appendonlydir/appendonly.aof.1.incr.aof': Buffer.concat([select, resp('SET', 'x', '1')]),
    'aof/appendonlydir/appendonly.aof.2.incr.aof': Buffer.concat([select, resp('INCR', 'x'), setB.subarray(0, setB.length - 4)]),
  };
}

/**
 * Creates dest (must not exist yet) with rdb/ok and rdb/err copied from
 * test/fixtures/rdb and the AOF files above; returns dest's absolute path.
 */
export function prepareWorkspace(root, dest) {
  const ws = path.resolve(dest);
  fs.mkdirSync(ws, { recursive: true });
  for (const sub of ['ok', 'err']) {
    fs.cpSync(path.join(root, 'test', 'fixtures', 'rdb', sub), path.join(ws, 'rdb', sub), {
      recursive: true,
      filter: (src) => !src.endsWith('.json'),
    });
  }
  for (const [rel, bytes] of Object.entries(aofFixtures())) {
    const file = path.join(ws, ...rel.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
  }
  return ws;
}
