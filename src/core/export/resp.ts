/**
 * Rebuild commands for decoded RDB records, encoded as RESP arrays ready for
 * `redis-cli --pipe` — the same choices Redis's own AOF rewrite makes
 * (redis `src/aof.c` `rewriteAppendOnlyFileRio`: RPUSH/SADD/ZADD/HSET in
 * batches, streams via XADD + XSETID + XGROUP CREATE + XCLAIM … FORCE JUSTID,
 * absolute PEXPIREAT), plus RESTORE with a DUMP payload for module values,
 * which no command can express.
 */

import { crc64 } from '../bytes/crc64.js';
import type { FunctionLibrary } from '../rdb/function.js';
import type { KeyRecord } from '../rdb/parser.js';
import type { StreamId, StreamValue } from '../rdb/value.js';
import { formatStreamId } from '../rdb/value.js';
import { latin1Bytes as ascii } from '../text/bytesText.js';

/** AOF_REWRITE_ITEMS_PER_CMD in redis `src/server.h`: elements per variadic command. */
export const ITEMS_PER_COMMAND = 64;



/** One command: its arguments as bytes. */
export type Command = Uint8Array[];

/** Formats a score so that Redis parses back exactly the same double (shortest round-trip form). */
export function formatScore(score: number): string {
  if (score === Infinity) return 'inf';
  if (score === -Infinity) return '-inf';
  if (Object.is(score, -0)) return '-0';
  return String(score);
}

/** RESP array encoding of a command. */
export function encodeCommand(args: Command): Uint8Array {
  let size = 0;
  const heads: Uint8Array[] = [];
  const top = ascii(`*${args.length}\r\n`);
  size += top.length;
  for (const a of args) {
    const h = ascii(`$${a.length}\r\n`);
    heads.push(h);
    size += h.length + a.length + 2;
  }
  const out = new Uint8Array(size);
  out.set(top, 0);
  let o = top.length;
  for (let i = 0; i < args.length; i++) {
    out.set(heads[i]!, o);
    o += heads[i]!.length;
    out.set(args[i]!, o);
    o += args[i]!.length;
    out[o++] = 0x0d;
    out[o++] = 0x0a;
  }
  return out;
}

function batched(name: string, key: Uint8Array, items: Uint8Array[], per: number, emit: (c: Command) => void): void {
  for (let i = 0; i < items.length; i += per) {
    emit([ascii(name), key, ...items.slice(i, i + per)]);
  }
}

function id(i: StreamId): Uint8Array {
  return ascii(formatStreamId(i));
}

/** Context a module value needs to be restored: the raw value bytes and the file's RDB version. */
export interface RawValue {
  /** RDB type byte followed by the value's bytes, exactly as in the file. */
  typeAndValue: Uint8Array;
  rdbVersion: number;
}

/** The raw value of a record, read back from its file (for RESTORE). */
export function rawValueOf(read: (offset: number, length: number) => Uint8Array, k: KeyRecord, rdbVersion: number): RawValue {
  const valueBytes = read(k.valueStart, k.end - k.valueStart);
  const typeAndValue = new Uint8Array(valueBytes.length + 1);
  typeAndValue[0] = k.rdbType;
  typeAndValue.set(valueBytes, 1);
  return { typeAndValue, rdbVersion };
}

/**
 * A DUMP/RESTORE payload (redis `src/cluster.c` `createDumpPayload`): type
 * byte and value, the 2-byte RDB version LE, then CRC-64 LE of all that.
 */
export function dumpPayload(raw: RawValue): Uint8Array {
  const body = raw.typeAndValue;
  const out = new Uint8Array(body.length + 10);
  out.set(body, 0);
  out[body.length] = raw.rdbVersion & 0xff;
  out[body.length + 1] = (raw.rdbVersion >> 8) & 0xff;
  let crc = crc64(out.subarray(0, body.length + 2));
  for (let i = 0; i < 8; i++) {
    out[body.length + 2 + i] = Number(crc & 0xffn);
    crc >>= 8n;
  }
  return out;
}

/** True when a pending entry refers to a stream entry that no longer exists (XCLAIM cannot recreate it). */
function pendingOfMissingEntries(v: StreamValue): boolean {
  if (!v.groups.some((g) => g.pending.length > 0)) return false;
  const ids = new Set(v.entries.map((e) => formatStreamId(e.id)));
  return v.groups.some((g) => g.pending.some((p) => !ids.has(formatStreamId(p.id))));
}

/**
 * The commands that recreate one key on a real Redis. `raw` gives the value's
 * serialized bytes: module values, and streams whose pending entries refer to
 * deleted entries (which XCLAIM refuses to recreate), are restored from a
 * DUMP payload; without `raw` they are skipped and `skipped` says why.
 * `note` explains any such choice.
 */
export function keyCommands(k: KeyRecord, emit: (c: Command) => void, raw?: () => RawValue): { skipped?: string; note?: string } {
  const key = k.key;
  const v = k.value;
  let note: string | undefined;
  switch (v.type) {
    case 'string':
      emit([ascii('SET'), key, v.value]);
      break;
    case 'list':
      batched('RPUSH', key, v.items, ITEMS_PER_COMMAND, emit);
      break;
    case 'set':
      batched('SADD', key, v.members, ITEMS_PER_COMMAND, emit);
      break;
    case 'zset': {
      const args: Uint8Array[] = [];
      for (let i = 0; i < v.members.length; i++) args.push(ascii(formatScore(v.scores[i]!)), v.members[i]!);
      batched('ZADD', key, args, ITEMS_PER_COMMAND * 2, emit);
      break;
    }
    case 'hash': {
      const args: Uint8Array[] = [];
      for (let i = 0; i < v.fields.length; i++) args.push(v.fields[i]!, v.values[i]!);
      batched('HSET', key, args, ITEMS_PER_COMMAND * 2, emit);
      if (v.fieldExpiresMs) {
        // Group fields by expiry time: HPEXPIREAT key ms FIELDS n f1 … (Redis 7.4+).
        const byTime = new Map<number, Uint8Array[]>();
        v.fieldExpiresMs.forEach((ms, i) => {
          if (ms === undefined) return;
          let list = byTime.get(ms);
          if (!list) byTime.set(ms, (list = []));
          list.push(v.fields[i]!);
        });
        for (const [ms, fields] of byTime) {
          for (let i = 0; i < fields.length; i += ITEMS_PER_COMMAND) {
            const part = fields.slice(i, i + ITEMS_PER_COMMAND);
            emit([ascii('HPEXPIREAT'), key, ascii(String(ms)), ascii('FIELDS'), ascii(String(part.length)), ...part]);
          }
        }
      }
      break;
    }
    case 'stream':
      if (pendingOfMissingEntries(v)) {
        if (!raw) return { skipped: 'stream whose pending entries refer to deleted entries needs its raw bytes to be restored' };
        emit([ascii('RESTORE'), key, ascii('0'), dumpPayload(raw()), ascii('REPLACE')]);
        note = 'pending entries refer to deleted stream entries, which XCLAIM cannot recreate: restored with RESTORE from its serialized bytes';
      } else {
        streamCommands(key, v, emit);
      }
      break;
    case 'module':
      if (!raw) return { skipped: `module value (${v.moduleName}) needs its raw bytes to be restored` };
      emit([ascii('RESTORE'), key, ascii('0'), dumpPayload(raw()), ascii('REPLACE')]);
      break;
  }
  if (k.expireAtMs !== undefined) emit([ascii('PEXPIREAT'), key, ascii(String(k.expireAtMs))]);
  return note ? { note } : {};
}

/** Stream rebuild exactly as `rewriteStreamObject` in redis `src/aof.c` does it. */
function streamCommands(key: Uint8Array, v: StreamValue, emit: (c: Command) => void): void {
  if (v.entries.length > 0) {
    for (const e of v.entries) emit([ascii('XADD'), key, id(e.id), ...e.fields]);
  } else {
    // An empty stream cannot be created by XADD alone: add an entry with ID
    // 0-1 and trim it away at once (MAXLEN 0), as the AOF rewrite does; the
    // XSETID below then sets the real last ID.
    emit([ascii('XADD'), key, ascii('MAXLEN'), ascii('0'), ascii('0-1'), ascii('x'), ascii('y')]);
  }
  const setId: Command = [ascii('XSETID'), key, id(v.lastId)];
  if (v.entriesAdded !== undefined) setId.push(ascii('ENTRIESADDED'), ascii(String(v.entriesAdded)));
  if (v.maxDeletedId !== undefined) setId.push(ascii('MAXDELETEDID'), id(v.maxDeletedId));
  emit(setId);
  for (const g of v.groups) {
    const create: Command = [ascii('XGROUP'), ascii('CREATE'), key, g.name, id(g.lastId)];
    if (g.entriesRead !== undefined) create.push(ascii('ENTRIESREAD'), ascii(String(g.entriesRead)));
    emit(create);
    for (const c of g.consumers) {
      emit([ascii('XGROUP'), ascii('CREATECONSUMER'), key, g.name, c.name]);
    }
    for (const p of g.pending) {
      if (!p.consumer) continue;
      emit([
        ascii('XCLAIM'),
        key,
        g.name,
        p.consumer,
        ascii('0'),
        id(p.id),
        ascii('TIME'),
        ascii(String(p.deliveryTimeMs)),
        ascii('RETRYCOUNT'),
        ascii(String(p.deliveryCount)),
        ascii('JUSTID'),
        ascii('FORCE'),
        ascii('LASTID'),
        id(g.lastId),
      ]);
    }
  }
}

/** `FUNCTION LOAD REPLACE <code>` for a library. */
export function functionCommand(f: FunctionLibrary): Command {
  return [ascii('FUNCTION'), ascii('LOAD'), ascii('REPLACE'), f.code];
}

/** `SELECT <db>`. */
export function selectCommand(db: number): Command {
  return [ascii('SELECT'), ascii(String(db))];
}
