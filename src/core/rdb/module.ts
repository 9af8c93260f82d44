/**
 * Module values (MODULE_2, type 7) and MODULE_AUX records: the 64-bit module
 * type id (name + encoding version, redis `src/module.c` `moduleTypeNameByID`)
 * and the self-describing opcode stream every `RM_Save*` call writes
 * (redis `src/rdb.c` `rdbLoadCheckModuleValue`), RDB 8–13. Spec §6.6, §11.
 */

import { DecodeError } from '../bytes/decodeError.js';
import {
  MODULE_OP_DOUBLE,
  MODULE_OP_EOF,
  MODULE_OP_FLOAT,
  MODULE_OP_SINT,
  MODULE_OP_STRING,
  MODULE_OP_UINT,
  T_MODULE_PRE_GA,
  checkerTypeName,
} from './constants.js';
import type { RdbReader } from './reader.js';
import type { ModuleItem, ModuleValue } from './value.js';
import type { ValueContext } from './valueContext.js';

/** `ModuleTypeNameCharSet`: 64 characters, 6 bits each. */
const CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The 9-character module type name and 10-bit encoding version packed in a module id. */
export function moduleNameFromId(id: bigint): { name: string; encodingVersion: number } {
  let v = id >> 10n;
  const chars: string[] = [];
  for (let i = 8; i >= 0; i--) {
    chars[i] = CHARSET[Number(v & 63n)]!;
    v >>= 6n;
  }
  return { name: chars.join(''), encodingVersion: Number(id & 1023n) };
}

/** Reads a module opcode stream up to its EOF opcode (`rdbLoadCheckModuleValue`). */
export function readModuleItems(r: RdbReader, keepStrings: boolean): ModuleItem[] {
  const c = r.c;
  const items: ModuleItem[] = [];
  for (;;) {
    const at = c.offset;
    const op = r.len64('module opcode');
    if (op === BigInt(MODULE_OP_EOF)) return items;
    switch (Number(op)) {
      case MODULE_OP_SINT:
        items.push({ kind: 'sint', value: BigInt.asIntN(64, r.len64('module signed integer')) });
        break;
      case MODULE_OP_UINT:
        items.push({ kind: 'uint', value: r.len64('module unsigned integer') });
        break;
      case MODULE_OP_FLOAT:
        items.push({ kind: 'float', value: c.f32le('module float') });
        break;
      case MODULE_OP_DOUBLE:
        items.push({ kind: 'double', value: c.f64le('module double') });
        break;
      case MODULE_OP_STRING:
        if (keepStrings) items.push({ kind: 'string', value: r.string('module string') });
        else {
          r.skipString('module string');
          items.push({ kind: 'string', value: new Uint8Array(0) });
        }
        break;
      default:
        throw new DecodeError(
          'rdb.module.bad-opcode',
          `unknown module value opcode ${op}: the value cannot be followed without its module`,
          at,
          c.offset,
        );
    }
  }
}

/** Decodes a module value (type 7); type 6 cannot be skipped without the module and is an error. */
export function decodeModule(ctx: ValueContext, type: number, start: number): ModuleValue {
  const r = ctx.r;
  const moduleId = r.len64('module type id');
  const { name, encodingVersion } = moduleNameFromId(moduleId);
  if (type === T_MODULE_PRE_GA) {
    throw new DecodeError(
      'rdb.module.pre-ga',
      `Pre-release module format not supported (module ${name}): the value cannot be skipped`,
      start,
      r.c.offset,
    );
  }
  const items = readModuleItems(r, ctx.keepStrings);
  return {
    type: 'module',
    rdbType: type,
    encoding: checkerTypeName(type),
    start,
    end: r.c.offset,
    moduleId,
    moduleName: name,
    encodingVersion,
    items,
    count: items.length,
  };
}
