/**
 * The canonical digest of a key's value: what a diff compares instead of the
 * value itself. Independent of the on-disk encoding (a listpack and a hash
 * table holding the same fields digest alike) and of element order where Redis
 * gives none (set members, hash fields, sorted-set members, consumer groups);
 * order-dependent for lists and stream entries. A sorted-set score of -0 is
 * digested as 0 (whether Redis keeps the sign depends on the encoding alone).
 * The key's TTL is kept apart
 * (see `KeyIndex`), so a TTL-only change needs no value decoding to report.
 * Not digested: LRU/LFU hints and encodings, which a reload changes; with
 * `ignoreConsumerTimes`, consumers' seen/active times (an AOF cannot carry
 * them: redis-server sets them to the time it loads the file).
 */

import type { RdbValue, StreamId } from '../rdb/value.js';
import { Hasher, Multiset, type Digest64 } from './hash.js';

const el = new Hasher();

function id(h: Hasher, v: StreamId | undefined): Hasher {
  if (!v) return h.byte(0);
  return h.byte(1).big(v.ms).big(v.seq);
}

/** What a digest leaves out. */
export interface DigestOptions {
  /** Leave consumers' seen and active times out (a side replayed from an AOF cannot know them). */
  ignoreConsumerTimes?: boolean;
}

/** 64-bit digest of a decoded value (string payloads must have been kept). */
export function valueDigest(v: RdbValue, options: DigestOptions = {}): Digest64 {
  const h = new Hasher().str(v.type);
  switch (v.type) {
    case 'string':
      return h.bytes(v.value).digest();
    case 'list':
      h.u32(v.items.length);
      for (const item of v.items) h.bytes(item);
      return h.digest();
    case 'set': {
      const m = new Multiset();
      for (const member of v.members) m.add(el.reset().bytes(member).digest());
      return m.into(h).digest();
    }
    case 'zset': {
      const m = new Multiset();
      // -0 is 0: Redis stores it as the integer 0 in a listpack (`zzlInsertAt`), so only its encoding decides.
      for (let i = 0; i < v.members.length; i++) m.add(el.reset().bytes(v.members[i]!).num(v.scores[i]! === 0 ? 0 : v.scores[i]!).digest());
      return m.into(h).digest();
    }
    case 'hash': {
      const m = new Multiset();
      for (let i = 0; i < v.fields.length; i++) {
        el.reset().bytes(v.fields[i]!).bytes(v.values[i]!);
        const ttl = v.fieldExpiresMs?.[i];
        if (ttl === undefined) el.byte(0);
        else el.byte(1).num(ttl);
        m.add(el.digest());
      }
      return m.into(h).digest();
    }
    case 'stream': {
      h.u32(v.entries.length);
      for (const e of v.entries) {
        id(h, e.id).u32(e.fields.length);
        for (const f of e.fields) h.bytes(f);
      }
      h.num(v.length);
      id(h, v.lastId);
      id(h, v.maxDeletedId);
      h.num(v.entriesAdded ?? -1);
      const groups = new Multiset();
      for (const g of v.groups) {
        const gh = new Hasher().bytes(g.name);
        id(gh, g.lastId).num(g.entriesRead ?? -2);
        const pel = new Multiset();
        for (const p of g.pending) {
          el.reset();
          id(el, p.id).num(p.deliveryTimeMs).num(p.deliveryCount);
          if (p.consumer) el.byte(1).bytes(p.consumer);
          else el.byte(0);
          pel.add(el.digest());
        }
        pel.into(gh);
        const consumers = new Multiset();
        for (const c of g.consumers) {
          const ch = new Hasher().bytes(c.name);
          if (!options.ignoreConsumerTimes) ch.num(c.seenTimeMs).num(c.activeTimeMs);
          const owned = new Multiset();
          for (const p of c.pending) owned.add(id(el.reset(), p).digest());
          consumers.add(owned.into(ch).digest());
        }
        consumers.into(gh);
        groups.add(gh.digest());
      }
      groups.into(h);
      if (v.idmp) {
        h.byte(1).num(v.idmp.durationSeconds).num(v.idmp.maxEntries).num(v.idmp.iidsAdded).num(v.idmp.iidsDuplicates);
        const producers = new Multiset();
        for (const p of v.idmp.producers) {
          const ph = new Hasher().bytes(p.id);
          for (const e of p.entries) id(ph.bytes(e.iid), e.id);
          producers.add(ph.digest());
        }
        producers.into(h);
      } else h.byte(0);
      return h.digest();
    }
    case 'module':
      h.big(v.moduleId).num(v.encodingVersion).u32(v.items.length);
      for (const item of v.items) {
        h.str(item.kind);
        if (item.kind === 'string') h.bytes(item.value);
        else if (item.kind === 'sint' || item.kind === 'uint') h.big(item.value);
        else h.num(item.value);
      }
      return h.digest();
  }
}

/** 64-bit digest of a key name in a DB (the index's hash-table key). */
export function keyDigest(db: number, key: Uint8Array): Digest64 {
  return el.reset().u32(db).bytes(key).digest();
}
