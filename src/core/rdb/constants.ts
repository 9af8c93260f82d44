/**
 * RDB opcodes and value types as defined in redis `src/rdb.h` (RDB 1–13) and
 * valkey `src/rdb.h` (RDB 11 and 80), with redis-check-rdb's type names
 * (`redis-check-rdb.c` `rdb_type_string`). See shared/spec/rdb-format.md §6–7.
 */

/** RDB_OPCODE_EOF 255: end of the RDB, then the checksum (RDB ≥ 5). */
export const OP_EOF = 0xff;
/** RDB_OPCODE_SELECTDB 254. */
export const OP_SELECTDB = 0xfe;
/** RDB_OPCODE_EXPIRETIME 253: 4-byte seconds (RDB < 3). */
export const OP_EXPIRETIME = 0xfd;
/** RDB_OPCODE_EXPIRETIME_MS 252: 8-byte LE milliseconds. */
export const OP_EXPIRETIME_MS = 0xfc;
/** RDB_OPCODE_RESIZEDB 251. */
export const OP_RESIZEDB = 0xfb;
/** RDB_OPCODE_AUX 250. */
export const OP_AUX = 0xfa;
/** RDB_OPCODE_FREQ 249: LFU counter. */
export const OP_FREQ = 0xf9;
/** RDB_OPCODE_IDLE 248: LRU idle seconds. */
export const OP_IDLE = 0xf8;
/** RDB_OPCODE_MODULE_AUX 247. */
export const OP_MODULE_AUX = 0xf7;
/** RDB_OPCODE_FUNCTION_PRE_GA 246 (7.0 release candidates). */
export const OP_FUNCTION_PRE_GA = 0xf6;
/** RDB_OPCODE_FUNCTION2 245. */
export const OP_FUNCTION2 = 0xf5;
/** RDB_OPCODE_SLOT_INFO 244 (Redis 7.4+, cluster mode). */
export const OP_SLOT_INFO = 0xf4;
/** 243: Redis 8.6 RDB_OPCODE_KEY_META; Valkey 9 RDB_OPCODE_SLOT_IMPORT. */
export const OP_KEY_META_OR_SLOT_IMPORT = 0xf3;

/** Value type ids (`RDB_TYPE_*`). */
export const T_STRING = 0;
export const T_LIST = 1;
export const T_SET = 2;
export const T_ZSET = 3;
export const T_HASH = 4;
export const T_ZSET_2 = 5;
export const T_MODULE_PRE_GA = 6;
export const T_MODULE_2 = 7;
export const T_HASH_ZIPMAP = 9;
export const T_LIST_ZIPLIST = 10;
export const T_SET_INTSET = 11;
export const T_ZSET_ZIPLIST = 12;
export const T_HASH_ZIPLIST = 13;
export const T_LIST_QUICKLIST = 14;
export const T_STREAM_LISTPACKS = 15;
export const T_HASH_LISTPACK = 16;
export const T_ZSET_LISTPACK = 17;
export const T_LIST_QUICKLIST_2 = 18;
export const T_STREAM_LISTPACKS_2 = 19;
export const T_SET_LISTPACK = 20;
export const T_STREAM_LISTPACKS_3 = 21;
/** Redis: HASH_METADATA_PRE_GA (7.4 RC); Valkey RDB 80: HASH_2. */
export const T_HASH_22 = 22;
/** Redis: HASH_LISTPACK_EX_PRE_GA (7.4 RC); Valkey dev: PATH_HASH. */
export const T_HASH_23 = 23;
export const T_HASH_METADATA = 24;
export const T_HASH_LISTPACK_EX = 25;
export const T_STREAM_LISTPACKS_4 = 26;

/** QUICKLIST_NODE_CONTAINER_PLAIN 1 / _PACKED 2 (redis `src/quicklist.h`). */
export const QUICKLIST_PLAIN = 1;
export const QUICKLIST_PACKED = 2;

/** RDB_MODULE_OPCODE_* (redis `src/rdb.h`). */
export const MODULE_OP_EOF = 0;
export const MODULE_OP_SINT = 1;
export const MODULE_OP_UINT = 2;
export const MODULE_OP_FLOAT = 3;
export const MODULE_OP_DOUBLE = 4;
export const MODULE_OP_STRING = 5;

/** The newest RDB versions this decoder knows (warn above). */
export const NEWEST_REDIS_RDB = 13;
export const NEWEST_VALKEY_RDB = 81;

const CHECKER_TYPE_NAMES = [
  'string', 'list-linked', 'set-hashtable', 'zset-v1', 'hash-hashtable', 'zset-v2', 'module-pre-release',
  'module-value', '', 'hash-zipmap', 'list-ziplist', 'set-intset', 'zset-ziplist', 'hash-ziplist', 'quicklist',
  'stream', 'hash-listpack', 'zset-listpack', 'quicklist-v2', 'stream-v2', 'set-listpack', 'stream-v3',
  'hash-hashtable-md-pre-release', 'hash-listpack-md-pre-release', 'hash-hashtable-md', 'hash-listpack-md',
  'stream-v4',
];

/** redis-check-rdb's name for a type id ("Reading type 16 (hash-listpack)"); Valkey names for 22/23 when `valkey`. */
export function checkerTypeName(type: number, valkey = false): string {
  if (valkey && type === T_HASH_22) return 'hash-volatile-items';
  if (valkey && type === T_HASH_23) return 'path-hash';
  return CHECKER_TYPE_NAMES[type] ?? 'unknown';
}

/** The Redis data type a value type id decodes to. */
export type DataType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream' | 'module';

/** Maps a type id to its data type, or undefined when the id is not a value type for this file. */
export function dataTypeOf(type: number, valkey: boolean): DataType | undefined {
  switch (type) {
    case T_STRING:
      return 'string';
    case T_LIST:
    case T_LIST_ZIPLIST:
    case T_LIST_QUICKLIST:
    case T_LIST_QUICKLIST_2:
      return 'list';
    case T_SET:
    case T_SET_INTSET:
    case T_SET_LISTPACK:
      return 'set';
    case T_ZSET:
    case T_ZSET_2:
    case T_ZSET_ZIPLIST:
    case T_ZSET_LISTPACK:
      return 'zset';
    case T_HASH:
    case T_HASH_ZIPMAP:
    case T_HASH_ZIPLIST:
    case T_HASH_LISTPACK:
    case T_HASH_22:
    case T_HASH_METADATA:
    case T_HASH_LISTPACK_EX:
      return type === T_HASH_METADATA || type === T_HASH_LISTPACK_EX ? (valkey ? undefined : 'hash') : 'hash';
    case T_HASH_23:
      return valkey ? undefined : 'hash';
    case T_STREAM_LISTPACKS:
    case T_STREAM_LISTPACKS_2:
    case T_STREAM_LISTPACKS_3:
    case T_STREAM_LISTPACKS_4:
      return valkey && type === T_STREAM_LISTPACKS_4 ? undefined : 'stream';
    case T_MODULE_PRE_GA:
    case T_MODULE_2:
      return 'module';
    default:
      return undefined;
  }
}

/**
 * The in-memory encoding name (`OBJECT ENCODING`) a type id loads as in the
 * Redis that wrote it; used for redis-rdb-tools compatible reports.
 */
export function memoryEncoding(type: number): string {
  switch (type) {
    case T_STRING:
      return 'string';
    case T_LIST:
      return 'linkedlist';
    case T_LIST_ZIPLIST:
    case T_ZSET_ZIPLIST:
    case T_HASH_ZIPLIST:
      return 'ziplist';
    case T_LIST_QUICKLIST:
    case T_LIST_QUICKLIST_2:
      return 'quicklist';
    case T_SET:
    case T_HASH:
    case T_HASH_METADATA:
    case T_HASH_22:
      return 'hashtable';
    case T_SET_INTSET:
      return 'intset';
    case T_ZSET:
    case T_ZSET_2:
      return 'skiplist';
    case T_HASH_ZIPMAP:
      return 'zipmap';
    case T_SET_LISTPACK:
    case T_ZSET_LISTPACK:
    case T_HASH_LISTPACK:
    case T_HASH_LISTPACK_EX:
    case T_HASH_23:
      return 'listpack';
    case T_STREAM_LISTPACKS:
    case T_STREAM_LISTPACKS_2:
    case T_STREAM_LISTPACKS_3:
    case T_STREAM_LISTPACKS_4:
      return 'stream';
    case T_MODULE_2:
    case T_MODULE_PRE_GA:
      return 'module';
    default:
      return 'unknown';
  }
}
