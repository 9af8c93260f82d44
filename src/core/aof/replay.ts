/**
 * Replays an AOF into the dataset redis-server would hold after loading it
 * (redis `src/aof.c` `loadSingleAppendOnlyFile` and `loadAppendOnlyFiles`,
 * Redis 2.6–8.x): the keys of an RDB preamble or base first, then every
 * command in load order on a fake client — a fresh one per file, in DB 0 —
 * with MULTI … EXEC queued and run at EXEC, an unclosed transaction at the
 * end dropped, and error replies ignored as the server ignores them. The
 * commands Redis writes to an AOF (a rewrite's SET/RPUSH/SADD/ZADD/HMSET/
 * XADD/XSETID/XGROUP/XCLAIM/PEXPIREAT/HPEXPIREAT/FUNCTION LOAD, and what
 * write commands propagate) and the common write commands are modelled
 * (replay/*.ts); read-only commands change nothing. A command the replay
 * cannot model (SORT … STORE, HyperLogLog updates, scripts, module commands,
 * a random SPOP…) is reported as a problem and makes the keys it touches —
 * or its whole DB, or every DB, when those cannot be named — inexact, so a
 * diff can refuse to compare them.
 *
 * Memory: by default the whole dataset is held, as redis-server holds it
 * when loading (values of an RDB preamble stay decoded until a command
 * changes them). With a spill store (`ReplayOptions.spill`, what `diff`
 * uses) memory is bounded instead: the records of an RDB preamble or base
 * stay in their file, found again by offset when a command touches them, and
 * the least recently used keys go to the spill file when those in memory
 * exceed their budget (`replay/dataset.ts`, `replay/cold.ts`).
 * Pure: no Node built-ins; the clock is an option.
 */

import type { ByteSource } from '../bytes/byteSource.js';
import type { Problem } from '../model/problem.js';
import type { KeyRecord, RdbHeader } from '../rdb/parser.js';
import { parseShebang, type FunctionLibrary } from '../rdb/function.js';
import { escapeBytes } from '../text/bytesText.js';
import type { AofCommand, AofHandler, AofParseOptions, AofResult } from './aofParser.js';
import { parseAof } from './aofParser.js';
import { checkAofSet, type AofSetResult, type OpenFile } from './aofSet.js';
import { COMMANDS as COMMAND_TABLE } from './commandTable.js';
import type { CommandSpec, Ctx } from './replay/context.js';
import { Keyspace, type KeyspaceOptions } from './replay/dataset.js';
import { HASH_COMMANDS } from './replay/hashes.js';
import { dbArg, KEYSPACE_COMMANDS } from './replay/keyspace.js';
import { LIST_COMMANDS } from './replay/lists.js';
import { is, ReplyError, text } from './replay/numbers.js';
import { SET_COMMANDS } from './replay/sets.js';
import { STREAM_COMMANDS } from './replay/streams.js';
import { STRING_COMMANDS } from './replay/strings.js';
import { ZSET_COMMANDS } from './replay/zsets.js';

export { Keyspace } from './replay/dataset.js';

/** Every modelled command, by lower-case name. */
const MODELLED: Record<string, CommandSpec> = {
  ...STRING_COMMANDS,
  ...KEYSPACE_COMMANDS,
  ...LIST_COMMANDS,
  ...SET_COMMANDS,
  ...ZSET_COMMANDS,
  ...HASH_COMMANDS,
  ...STREAM_COMMANDS,
};

/** Commands that change no data (reads, connection and server commands Redis never writes to an AOF). */
const NO_EFFECT = new Set(
  (
    'acl asking auth bgrewriteaof bgsave bitcount bitfield_ro bitpos client cluster command config dbsize dump echo eval_ro evalsha_ro exists ' +
    'expiretime failover fcall_ro geodist geohash geopos georadius_ro georadiusbymember_ro geosearch get getbit getrange hello hexists ' +
    'hexpiretime hget hgetall hkeys hlen hmget hpexpiretime hpttl hrandfield hscan hstrlen httl hvals info keys lastsave latency lcs lindex ' +
    'llen lolwut lpos lrange memory mget module monitor object pexpiretime pfselftest ping psubscribe psync pttl publish pubsub punsubscribe ' +
    'quit randomkey readonly readwrite replconf replicaof reset role save scan scard script sdiff shutdown sinter sintercard sismember slaveof ' +
    'slowlog smembers smismember sort_ro spublish srandmember sscan ssubscribe strlen subscribe substr sunion sunsubscribe sync time touch ttl ' +
    'type unsubscribe unwatch wait waitaof watch xinfo xlen xpending xrange xread xrevrange zcard zcount zdiff zinter zintercard zlexcount ' +
    'zmscore zrandmember zrange zrangebylex zrangebyscore zrank zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan zscore zunion'
  ).split(' '),
);

/** The argument after an option word (SORT … STORE dest, GEORADIUS … STORE/STOREDIST dest). */
function after(a: Uint8Array[], ...words: string[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i + 1 < a.length; i++) if (words.some((w) => is(a[i], w))) out.push(a[i + 1]!);
  return out;
}

/**
 * Commands the replay does not model, with the keys they may change (null:
 * every key of the DB; 'all': every DB) and why. Commands that turn out to
 * change nothing (SORT without STORE) give no keys.
 */
const UNMODELLED: Record<string, { keys: (a: Uint8Array[]) => Uint8Array[] | null | 'all'; why: string }> = {
  sort: { keys: (a) => after(a, 'STORE'), why: 'SORT … STORE is not modelled (it sorts with BY/GET patterns over other keys)' },
  georadius: { keys: (a) => after(a, 'STORE', 'STOREDIST'), why: 'GEORADIUS … STORE is not modelled (geo computations)' },
  georadiusbymember: { keys: (a) => after(a, 'STORE', 'STOREDIST'), why: 'GEORADIUSBYMEMBER … STORE is not modelled (geo computations)' },
  geosearchstore: { keys: (a) => [a[1]!], why: 'GEOSEARCHSTORE is not modelled (geo computations)' },
  geoadd: { keys: (a) => [a[1]!], why: 'GEOADD is not modelled (Redis writes it as ZADD with the geohash score)' },
  pfadd: { keys: (a) => [a[1]!], why: 'HyperLogLog updates are not modelled (PFADD changes the sketch bytes)' },
  pfcount: { keys: (a) => a.slice(1), why: "HyperLogLog updates are not modelled (PFCOUNT rewrites the sketch's cached cardinality)" },
  pfmerge: { keys: (a) => [a[1]!], why: 'HyperLogLog updates are not modelled (PFMERGE)' },
  pfdebug: { keys: (a) => (a[2] ? [a[2]] : []), why: 'PFDEBUG changes the sketch encoding' },
  xreadgroup: {
    keys: (a) => {
      const at = a.findIndex((x) => is(x, 'STREAMS'));
      return at < 0 ? [] : a.slice(at + 1, at + 1 + Math.floor((a.length - at - 1) / 2));
    },
    why: 'XREADGROUP is not modelled (Redis writes it as XCLAIM … and XGROUP SETID)',
  },
  eval: { keys: () => 'all', why: 'scripts are not run (Redis 7.0+ writes their effects instead; earlier versions may write the script)' },
  evalsha: { keys: () => 'all', why: 'scripts are not run (the script body is not in the file)' },
  fcall: { keys: () => 'all', why: 'functions are not run (Redis 7.0+ writes their effects instead)' },
  migrate: { keys: () => null, why: 'MIGRATE is not modelled (Redis writes the DEL of migrated keys instead)' },
  debug: { keys: () => 'all', why: 'DEBUG subcommands are not modelled' },
};

/** `table[key]` for own keys only (a command named `constructor` is not Object's). */
function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** A `#`-less label of a command for messages: its name and (for multi-word commands) subcommand. */
function label(a: Uint8Array[]): string {
  const name = text(a[0]!).toUpperCase();
  const table = own(COMMAND_TABLE, name.toLowerCase());
  return table?.[1] && a[1] ? `${name} ${text(a[1]).toUpperCase()}` : name;
}

function arityOk(arity: number, n: number): boolean {
  return arity >= 0 ? n === arity : n >= -arity;
}

/** Options of a replay. */
export interface ReplayOptions extends KeyspaceOptions {
  /** The clock of relative times (EXPIRE, SETEX, XCLAIM without TIME…): redis-server uses the time it loads the file. Default `Date.now()`. */
  nowMs?: number;
}

/** What a replay built. */
export interface ReplayedAof {
  keyspace: Keyspace;
  /**
   * Notes about the replay, by code: `replay.unsupported` (a command the
   * replay cannot model: its keys are inexact), `replay.command-error` (a
   * command redis-server refuses; loading goes on and it changes nothing),
   * `replay.unclosed-multi` (a transaction never closed: dropped, as the
   * server does), `replay.clock` (a value resolved against the replay's clock).
   */
  problems: Problem[];
  /** No key may differ from what redis-server would load (no key, DB or function library left inexact by a `replay.unsupported` command). */
  exact: boolean;
  /** Commands replayed (MULTI/EXEC included). */
  commands: number;
  /**
   * Every key is in a file (an RDB read, or the spill file) and has a
   * locator: true for a replay with a spill store, which spills what it
   * holds at the end. Its files must stay open while the result is used.
   */
  located: boolean;
}

/** A file's handler; `endFile` drops a transaction left open at its end, as the server does. */
export type FileHandler = AofHandler & { endFile(): void };

interface Where {
  file?: string;
  command: AofCommand;
}

/** The replay state shared by the files of one AOF (or set). */
export class AofReplayer {
  readonly keyspace: Keyspace;
  private readonly problems: Problem[] = [];
  private readonly grouped = new Map<string, Problem & { count: number }>();
  private readonly nowMs: number;
  private commands = 0;

  constructor(options: ReplayOptions = {}) {
    this.nowMs = options.nowMs ?? Date.now();
    this.keyspace = new Keyspace(options);
  }

  /** How files are parsed: a layered keyspace leaves preamble values in their file, so they are only walked. */
  get parseOptions(): AofParseOptions {
    return { keepArgs: true, rdb: { keepStrings: !this.keyspace.layered, reuseBuffers: true } };
  }

  /**
   * The handler of one file: a fresh client (DB 0, no transaction), as
   * redis-server loads each file. `source` is the file's bytes: a layered
   * keyspace reads the records of its RDB preamble back from there.
   */
  handlerFor(file?: string, source?: ByteSource): FileHandler {
    let db = 0;
    let coldFile = -1;
    let queue: { name: string; args: Uint8Array[]; where: Where }[] | undefined;
    let multiAt: Where | undefined;
    const run = (name: string, args: Uint8Array[], where: Where): void => {
      if (name === 'select') {
        try {
          db = dbArg(args[1]);
        } catch (e) {
          if (!(e instanceof ReplyError)) throw e;
          this.refused(args, e.message, where, db);
        }
        return;
      }
      this.exec(name, args, db, where);
    };
    return {
      rdb: {
        header: (h: RdbHeader) => {
          if (!this.keyspace.layered) return;
          // Values are only walked in a layered replay (`parseOptions`): they must be readable again.
          if (!source) throw new Error('a replay with a spill store needs the bytes of each file it reads');
          coldFile = this.keyspace.addFile({ source, kind: 'rdb', version: h.version, valkey: h.magic === 'VALKEY' });
        },
        key: (k: KeyRecord) => {
          if (coldFile >= 0) this.keyspace.addCold(k.db, k.key, k.start, coldFile);
          else this.rdbKey(k);
        },
        functionLibrary: (f: FunctionLibrary) => void this.keyspace.functions.set(f.name ?? '', { code: f.code, engine: f.engine, name: f.name }),
      },
      command: (c: AofCommand) => {
        if (c.afterDamage || !c.args || c.args.length === 0) return;
        this.commands++;
        const where: Where = { ...(file !== undefined ? { file } : {}), command: c };
        const name = c.name;
        if (name === 'multi') {
          if (queue) this.refused(c.args, 'MULTI calls can not be nested', where, db);
          else {
            queue = [];
            multiAt = where;
          }
          return;
        }
        if (name === 'exec' || name === 'discard') {
          if (!queue) {
            this.refused(c.args, `${name.toUpperCase()} without MULTI`, where, db);
            return;
          }
          const queued = queue;
          queue = undefined;
          multiAt = undefined;
          if (name === 'exec') for (const q of queued) run(q.name, q.args, q.where);
          return;
        }
        if (queue) queue.push({ name, args: c.args, where });
        else run(name, c.args, where);
      },
      endFile: () => this.endFile(queue, multiAt, db),
    };
  }

  private endFile(queue: unknown[] | undefined, multiAt: Where | undefined, db: number): void {
    if (!queue || !multiAt) return;
    this.problems.push({
      ...this.at(multiAt, db),
      code: 'replay.unclosed-multi',
      severity: 'warning',
      message: `MULTI without EXEC at the end of the file: its ${queue.length} queued commands are dropped, as redis-server reverts an incomplete transaction`,
    });
  }

  private rdbKey(k: KeyRecord): void {
    const entry = this.keyspace.put(k.db, k.key, { type: 'decoded', value: k.value });
    if (k.expireAtMs !== undefined) entry.expireAtMs = k.expireAtMs;
  }

  private at(where: Where, db: number): Pick<Problem, 'offset' | 'end' | 'file' | 'command' | 'db'> {
    const c = where.command;
    return { offset: c.start, end: c.end, ...(where.file !== undefined ? { file: where.file } : {}), command: c.index + 1, db };
  }

  /** A note shared by every command with the same code and message (counted). */
  private grouped1(code: string, severity: Problem['severity'], message: string, where: Where, db: number, key?: Uint8Array): Problem {
    const id = `${code}\u0000${message}`;
    let p = this.grouped.get(id);
    if (!p) {
      p = { ...this.at(where, db), code, severity, message, count: 0, ...(key ? { key } : {}) };
      this.grouped.set(id, p);
      this.problems.push(p);
    }
    p.count++;
    return p;
  }

  private refused(args: Uint8Array[], reply: string, where: Where, db: number): void {
    this.grouped1('replay.command-error', 'warning', `redis-server refuses ${label(args)} ("${reply}"): loading goes on and the command changes nothing`, where, db, args[1]);
  }

  private unsupported(args: Uint8Array[], why: string, where: Where, db: number, keys: Uint8Array[] | null | 'all'): void {
    const scope = keys === 'all' ? 'every database may differ' : keys === null ? `every key of DB ${db} may differ` : keys.length === 1 ? `key "${escapeBytes(keys[0]!)}" may differ` : `${keys.length} keys may differ`;
    const p = this.grouped1('replay.unsupported', 'warning', `cannot replay ${label(args)}: ${why}; ${scope}`, where, db, Array.isArray(keys) ? keys[0] : undefined);
    const ks = this.keyspace;
    if (keys === 'all') ks.globalTaint ??= p;
    else if (keys === null) {
      if (!ks.dbTaints.has(db)) ks.dbTaints.set(db, p);
    } else for (const k of keys) ks.taintKey(db, k, p);
  }

  private exec(name: string, args: Uint8Array[], db: number, where: Where): void {
    this.keyspace.maintain();
    const spec = own(MODELLED, name);
    if (spec) {
      if (!arityOk(spec.arity, args.length)) {
        this.refused(args, `wrong number of arguments for '${name}' command`, where, db);
        return;
      }
      const keys = spec.keys ? spec.keys(args) : [args[1]!];
      const ks = this.keyspace;
      // A key-level taint spreads to every key the command touches (DB-wide and global ones already cover them).
      let taint: Problem | undefined;
      for (const k of keys) taint ??= ks.taints.get(db)?.get(text(k))?.problem;
      const ctx: Ctx = {
        ks,
        db,
        nowMs: this.nowMs,
        note: (code, message) => void this.grouped1(code, 'info', message, where, db),
        inexact: (keys2, why) => this.unsupported(args, why, where, db, keys2),
      };
      try {
        spec.run(ctx, args);
      } catch (e) {
        if (!(e instanceof ReplyError)) throw e;
        // With a key of unknown value the server may well have accepted it: no claim either way.
        const uncertain = taint ?? [args[1], args[2]].map((k) => (k ? ks.taintOf(db, k) : undefined)).find((p) => p);
        if (!uncertain) this.refused(args, e.message, where, db);
        if (taint) for (const k of keys) ks.taintKey(db, k, taint);
        return;
      }
      if (spec.definitive?.(args)) for (const k of keys) ks.clearTaint(db, k);
      else if (taint) for (const k of keys) ks.taintKey(db, k, taint);
      return;
    }
    if (NO_EFFECT.has(name)) return;
    if (name === 'function') {
      this.func(args, db, where);
      return;
    }
    const known = own(UNMODELLED, name);
    if (known) {
      const keys = known.keys(args);
      if (keys === 'all' || keys === null || keys.length > 0) this.unsupported(args, known.why, where, db, keys);
      return;
    }
    const inTable = own(COMMAND_TABLE, name) !== undefined;
    this.unsupported(
      args,
      inTable ? 'this command is not modelled' : 'unknown command (a module command?): redis-server refuses to load the file without the module that defines it',
      where,
      db,
      null,
    );
  }

  /** FUNCTION LOAD / DELETE / FLUSH (redis `src/functions.c`); FUNCTION RESTORE makes the libraries inexact. */
  private func(args: Uint8Array[], db: number, where: Where): void {
    const fns = this.keyspace.functions;
    const sub = args[1] ? text(args[1]).toLowerCase() : '';
    if (sub === 'load' && (args.length === 3 || (args.length === 4 && is(args[2], 'REPLACE')))) {
      const code = args[args.length - 1]!;
      const meta = parseShebang(code);
      if (meta.error || !meta.name) return this.refused(args, meta.error ?? 'Library name was not given', where, db);
      if (!/^lua$/i.test(meta.engine ?? '')) return this.refused(args, `Engine '${meta.engine}' not found`, where, db);
      if (!/^[A-Za-z0-9_]+$/.test(meta.name)) return this.refused(args, 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long', where, db);
      if (fns.has(meta.name) && args.length === 3) return this.refused(args, `Library '${meta.name}' already exists`, where, db);
      fns.set(meta.name, { code, engine: meta.engine, name: meta.name });
    } else if (sub === 'delete' && args.length === 3) {
      if (!fns.delete(text(args[2]!))) this.refused(args, 'Library not found', where, db);
    } else if (sub === 'flush' && args.length <= 3) {
      fns.clear();
      this.keyspace.functionsTaint = undefined;
    } else if (sub === 'restore') {
      const p = this.grouped1('replay.unsupported', 'warning', 'cannot replay FUNCTION RESTORE: the function libraries may differ', where, db);
      this.keyspace.functionsTaint ??= p;
    }
  }

  /** The result (call once every file was read). */
  finish(): ReplayedAof {
    for (const p of this.grouped.values()) {
      if (p.count > 1) p.message += ` (${p.count} commands; the first is shown)`;
      delete (p as Partial<typeof p>).count;
    }
    const ks = this.keyspace;
    // Taints of keys deleted since (DEL, FLUSHALL…) no longer count.
    const exact = !ks.globalTaint && ks.dbTaints.size === 0 && !ks.functionsTaint && [...ks.taints.values()].every((t) => t.size === 0);
    ks.spillAll();
    return { keyspace: this.keyspace, problems: this.problems, exact, commands: this.commands, located: ks.layered };
  }
}

/** Replays one AOF file (plain or with an RDB preamble). */
export function replayAof(source: ByteSource, options: ReplayOptions & { fileName?: string } = {}): { result: AofResult; replay: ReplayedAof } {
  const r = new AofReplayer(options);
  const handler = r.handlerFor(options.fileName, source);
  const result = parseAof(source, handler, { ...r.parseOptions, ...(options.fileName !== undefined ? { fileName: options.fileName } : {}) });
  handler.endFile();
  return { result, replay: r.finish() };
}

/** Replays a multi-part AOF: its manifest, then each BASE and INCR file in load order. */
export function replayAofSet(manifest: Uint8Array, open: OpenFile, options: ReplayOptions = {}): { set: AofSetResult; replay: ReplayedAof } {
  const r = new AofReplayer(options);
  let last: FileHandler | undefined;
  const sources = new Map<string, ByteSource>();
  const set = checkAofSet(
    manifest,
    (name) => {
      const opened = open(name);
      if (!('error' in opened)) sources.set(name, opened);
      return opened;
    },
    (file) => {
      last?.endFile();
      last = r.handlerFor(file.name, sources.get(file.name));
      return last;
    },
    r.parseOptions,
  );
  last?.endFile();
  return { set, replay: r.finish() };
}

