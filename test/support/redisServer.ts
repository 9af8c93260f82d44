// Test harness around a real `redis-server` process.
//
// Each server gets a fresh temp dir (`$TMPDIR/rpi-redis-XXXX`) holding its unix socket, log,
// stdout/stderr capture and (unless `dir` is given) its data files. TCP is disabled
// (`--port 0`), automatic saving is off (`--save ''`) and DEBUG is enabled.
//
// Error convention: `command()` THROWS a `RespError` for an error reply; `commands()` (pipelined)
// RETURNS error replies in place as `RespError` objects; `pipeRaw()` throws an Error naming the
// first error reply after every reply has been read.
//
// Servers never outlive the test process: a process 'exit' hook SIGKILLs every server still
// running and removes its temp dir. (A Ctrl-C in a terminal also reaches redis-server, which
// shares the foreground process group.)
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RespClient, RespError, type RespArg, type RespValue } from './resp.js';

export { RespClient, RespError, type RespArg, type RespValue } from './resp.js';

const DEFAULT_SERVER = '/usr/bin/redis-server';
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

let cachedPath: string | null | undefined;

/** Absolute path of redis-server (`$REDIS_SERVER`, then `which redis-server`, then /usr/bin), or null. */
export function redisServerPath(): string | null {
  if (cachedPath !== undefined) return cachedPath;
  const candidates: string[] = [];
  if (process.env.REDIS_SERVER) candidates.push(process.env.REDIS_SERVER);
  try {
    const w = execFileSync('which', ['redis-server'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    if (w) candidates.push(w);
  } catch {
    // not on PATH
  }
  candidates.push(DEFAULT_SERVER);
  cachedPath = null;
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      cachedPath = c;
      break;
    } catch {
      // try the next one
    }
  }
  return cachedPath;
}

/** True when a redis-server binary is available; suites call `this.skip()` otherwise. */
export function redisAvailable(): boolean {
  return redisServerPath() !== null;
}

/** Human-readable reason to print when skipping a suite. */
export function redisUnavailableReason(): string {
  return 'redis-server not found ($REDIS_SERVER, PATH, /usr/bin/redis-server); install redis-server (Debian: apt-get install redis-server) to run these tests';
}

let cachedVersion: string | null | undefined;

/** `redis-server --version` number, e.g. "7.0.15", or null. */
export function redisServerVersion(): string | null {
  if (cachedVersion !== undefined) return cachedVersion;
  const bin = redisServerPath();
  cachedVersion = null;
  if (bin) {
    try {
      const out = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 5000 });
      cachedVersion = /v=(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? null;
    } catch {
      cachedVersion = null;
    }
  }
  return cachedVersion;
}

export interface StartRedisOptions {
  /** Extra config directives, e.g. `{ 'maxmemory-policy': 'allkeys-lfu' }` (passed as `--name value`). */
  config?: Record<string, string>;
  /** Data dir (`--dir`). Default: the server's fresh temp dir. A given dir is never deleted. */
  dir?: string;
  /** An RDB file to load at startup: copied into the data dir as `dump.rdb` first. */
  rdbFile?: string;
  /** `--appendonly yes` (7.0: multi-part AOF under `<dir>/appendonlydir`). */
  appendonly?: boolean;
  /** Keep the temp dir after stop() (for post-mortem); default false. */
  keep?: boolean;
  /** Ms to wait for PING to answer PONG (default 20000). */
  startTimeoutMs?: number;
}

export interface RedisServer {
  /** Unix socket path. */
  readonly socket: string;
  /** Data dir (`--dir`): dump.rdb / appendonlydir live here. */
  readonly dir: string;
  /** The harness' temp dir (socket, log); equals `dir` unless `opts.dir` was given. */
  readonly tmpDir: string;
  readonly pid: number;
  readonly logPath: string;
  /** Full path of the RDB file (`<dir>/dump.rdb`). */
  readonly rdbPath: string;
  /** One command on the shared connection; throws RespError on an error reply. */
  command(...args: RespArg[]): Promise<RespValue>;
  /** Pipelined commands on the shared connection; error replies are returned in place. */
  commands(list: readonly (readonly RespArg[])[]): Promise<RespValue[]>;
  /** A new, separate connection (the caller closes it). */
  connect(): Promise<RespClient>;
  /** SAVE, then the path of the written RDB file. */
  save(): Promise<string>;
  /**
   * Send a whole RESP stream on a fresh connection (like `redis-cli --pipe`), wait for every
   * reply; throws naming the first error reply (and the count of errors). Returns the replies.
   */
  pipeRaw(respBytes: Buffer): Promise<RespValue[]>;
  /** Last `lines` lines of the server log (plus captured stdout/stderr). */
  logTail(lines?: number): string;
  /** SHUTDOWN NOSAVE (SIGKILL as fallback), wait for exit, remove the temp dir unless kept. */
  stop(opts?: { keep?: boolean }): Promise<void>;
  readonly running: boolean;
}

interface Live {
  child: ChildProcess;
  tmpDir: string;
  keep: boolean;
}

const live = new Set<Live>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const l of live) {
      try {
        if (l.child.exitCode === null && l.child.signalCode === null && l.child.pid !== undefined) process.kill(l.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      if (!l.keep) {
        try {
          fs.rmSync(l.tmpDir, { recursive: true, force: true });
        } catch {
          // best effort
        }
      }
    }
    live.clear();
  });
}

function tail(file: string, lines: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').filter((l) => l.length > 0).slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Start a redis-server and wait until it answers PING. */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServer> {
  const bin = redisServerPath();
  if (!bin) throw new Error(redisUnavailableReason());
  installExitHook();

  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-redis-'));
  const dataDir = opts.dir ? path.resolve(opts.dir) : tmpDir;
  if (opts.dir) fs.mkdirSync(dataDir, { recursive: true });
  const socket = path.join(tmpDir, 'redis.sock');
  const logPath = path.join(tmpDir, 'redis.log');
  const stdioPath = path.join(tmpDir, 'stdio.log');
  const dbfilename = 'dump.rdb';
  const rdbPath = path.join(dataDir, dbfilename);
  if (opts.rdbFile) fs.copyFileSync(opts.rdbFile, rdbPath);

  const settings: [string, string][] = [
    ['port', '0'],
    ['unixsocket', socket],
    ['unixsocketperm', '700'],
    ['save', ''],
    ['daemonize', 'no'],
    ['dir', dataDir],
    ['dbfilename', dbfilename],
    ['logfile', logPath],
    ['enable-debug-command', 'yes'],
    ['appendonly', opts.appendonly ? 'yes' : 'no'],
  ];
  for (const [k, v] of Object.entries(opts.config ?? {})) settings.push([k, v]);
  // redis-server quotes each argument itself (sdscatrepr), so '' becomes "" and spaces survive.
  const args = settings.flatMap(([k, v]) => [`--${k}`, v]);

  const keep = opts.keep ?? false;
  const stdioFd = fs.openSync(stdioPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { cwd: tmpDir, stdio: ['ignore', stdioFd, stdioFd], detached: false });
  } finally {
    fs.closeSync(stdioFd);
  }
  child.unref(); // a forgotten server must not keep mocha alive; the exit hook kills it
  const entry: Live = { child, tmpDir, keep };
  live.add(entry);

  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });

  const logTail = (lines = 30): string => {
    const parts = [tail(logPath, lines)];
    const io = tail(stdioPath, lines);
    if (io) parts.push(`--- stdout/stderr ---\n${io}`);
    return parts.filter((p) => p).join('\n');
  };

  const cleanupDir = (): void => {
    if (!keep) fs.rmSync(tmpDir, { recursive: true, force: true });
  };

  // Wait for PONG (LOADING errors and refused connections are retried).
  const deadline = Date.now() + (opts.startTimeoutMs ?? START_TIMEOUT_MS);
  let client: RespClient | null = null;
  let lastError = 'no attempt';
  while (client === null) {
    if (exited) {
      live.delete(entry);
      const why = `redis-server exited during startup (code ${String(child.exitCode)}, signal ${String(child.signalCode)})`;
      const msg = `${why}\n--- log tail (${logPath}) ---\n${logTail()}`;
      cleanupDir();
      throw new Error(msg);
    }
    if (Date.now() > deadline) {
      const msg = `redis-server did not answer PING within ${opts.startTimeoutMs ?? START_TIMEOUT_MS} ms (last: ${lastError})\n--- log tail (${logPath}) ---\n${logTail()}`;
      try {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      } catch {
        // gone
      }
      await Promise.race([exitPromise, sleep(STOP_TIMEOUT_MS)]);
      live.delete(entry);
      cleanupDir();
      throw new Error(msg);
    }
    if (fs.existsSync(socket)) {
      let c: RespClient | null = null;
      try {
        c = await RespClient.connect(socket, { timeoutMs: 5000 });
        const pong = await c.command('PING');
        if (pong === 'PONG') {
          client = c;
          break;
        }
        lastError = `PING replied ${String(pong)}`;
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
      }
      c?.close();
    }
    await sleep(25);
  }
  const mainClient: RespClient = client;
  mainClient.close();
  const shared = await RespClient.connect(socket);

  const pid = child.pid;
  if (pid === undefined) throw new Error('redis-server has no pid');

  let stopped = false;
  const server: RedisServer = {
    socket,
    dir: dataDir,
    tmpDir,
    pid,
    logPath,
    rdbPath,
    get running() {
      return !stopped && !exited;
    },
    command: (...a) => shared.command(...a),
    commands: (list) => shared.commands(list),
    connect: () => RespClient.connect(socket),
    async save() {
      await shared.command('SAVE');
      return rdbPath;
    },
    async pipeRaw(respBytes) {
      const c = await RespClient.connect(socket);
      try {
        const replies = await c.pipe(respBytes);
        const errors = replies.filter((r): r is RespError => r instanceof RespError);
        const first = errors[0];
        if (first) {
          const idx = replies.indexOf(first);
          throw new Error(`pipeRaw: ${errors.length} error repl${errors.length === 1 ? 'y' : 'ies'} out of ${replies.length}; first (reply #${idx}): ${first.message}`);
        }
        return replies;
      } finally {
        c.close();
      }
    },
    logTail,
    async stop(stopOpts) {
      if (stopped) return;
      stopped = true;
      if (!exited) {
        try {
          const c = await RespClient.connect(socket, { timeoutMs: 5000 });
          // SHUTDOWN closes the connection without a reply on success.
          await c.command('SHUTDOWN', 'NOSAVE').catch(() => undefined);
          c.close();
        } catch {
          // fall through to the signal
        }
      }
      shared.close();
      const gone = await Promise.race([exitPromise.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
      if (!gone) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
        await Promise.race([exitPromise, sleep(STOP_TIMEOUT_MS)]);
      }
      live.delete(entry);
      if (!(stopOpts?.keep ?? keep)) fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Stop every server this process started and has not stopped yet (e.g. in a root `after` hook). */
export async function stopAllRedis(): Promise<void> {
  const pids = [...live];
  await Promise.all(
    pids.map(async (l) => {
      try {
        if (l.child.pid !== undefined && l.child.exitCode === null && l.child.signalCode === null) process.kill(l.child.pid, 'SIGKILL');
      } catch {
        // gone
      }
      if (!l.keep) fs.rmSync(l.tmpDir, { recursive: true, force: true });
      live.delete(l);
    }),
  );
}

/** Throw unless `reply` is the simple string OK. */
export function expectOk(reply: RespValue, what = 'command'): void {
  if (reply !== 'OK') throw new Error(`${what}: expected OK, got ${reply instanceof RespError ? reply.message : String(reply)}`);
}

/** Runs BGREWRITEAOF and waits until it has finished and the old files left the manifest (appendonly servers). */
export async function rewriteAof(r: RedisServer): Promise<void> {
  const manifest = path.join(r.dir, 'appendonlydir', 'appendonly.aof.manifest');
  const before = fs.readFileSync(manifest, 'utf8');
  await r.command('BGREWRITEAOF');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const info = String(await r.command('INFO', 'persistence'));
    const now = fs.readFileSync(manifest, 'utf8');
    if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info) && now !== before && !now.includes('type h')) return;
    if (Date.now() > deadline) throw new Error(`BGREWRITEAOF did not finish:\n${info}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}
