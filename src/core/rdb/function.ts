/**
 * Function libraries: FUNCTION2 (245, Redis 7.0+) and FUNCTION_PRE_GA (246,
 * 7.0 release candidates) — redis `src/rdb.c` `rdbFunctionLoad` and
 * `src/functions.c` `functionExtractLibMetaData`. Spec §6.7, §12.
 */

import { DecodeError } from '../bytes/decodeError.js';
import { OP_FUNCTION_PRE_GA } from './constants.js';
import type { RdbReader } from './reader.js';

/** A function library as stored. */
export interface FunctionLibrary {
  start: number;
  end: number;
  opcode: number;
  /** Full source as Redis loads it, shebang line included (`#!lua name=mylib\n…`). */
  code: Uint8Array;
  engine?: string;
  name?: string;
  description?: Uint8Array;
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

/** Parses the shebang (`#!<engine> name=<lib>`) of a library's code; undefined fields when malformed. */
export function parseShebang(code: Uint8Array): { engine?: string; name?: string; error?: string } {
  let nl = code.indexOf(0x0a);
  if (nl < 0) nl = code.length;
  const first = decoder.decode(code.subarray(0, nl));
  if (!first.startsWith('#!')) return { error: 'missing library metadata (#!<engine> name=<library>)' };
  const parts = first.slice(2).split(' ').filter((p) => p.length > 0);
  const engine = parts.shift();
  let name: string | undefined;
  for (const p of parts) {
    if (!p.startsWith('name=')) return { engine, error: `invalid metadata value given: ${p}` };
    if (name !== undefined) return { engine, error: 'library name is given more than once' };
    name = p.slice(5);
  }
  if (!name) return { engine, error: 'library name was not given' };
  return { engine, name };
}

/** Reads one FUNCTION2 or FUNCTION_PRE_GA record after its opcode byte. */
export function readFunction(r: RdbReader, opcode: number, start: number): FunctionLibrary {
  if (opcode === OP_FUNCTION_PRE_GA) {
    const name = r.string('function library name');
    const engine = r.string('function engine name');
    const hasDesc = r.len('function description flag');
    const description = hasDesc ? r.string('function description') : undefined;
    const body = r.string('function code');
    const head = encoder.encode(`#!${decoder.decode(engine)} name=${decoder.decode(name)}\n`);
    const code = new Uint8Array(head.length + body.length);
    code.set(head);
    code.set(body, head.length);
    return {
      start,
      end: r.c.offset,
      opcode,
      code,
      engine: decoder.decode(engine),
      name: decoder.decode(name),
      ...(description ? { description } : {}),
    };
  }
  const at = r.c.offset;
  const code = r.string('function library');
  const meta = parseShebang(code);
  if (meta.error) {
    throw new DecodeError('rdb.function.bad-library', `Failed loading library, ${meta.error}`, at, r.c.offset);
  }
  return { start, end: r.c.offset, opcode, code, engine: meta.engine, name: meta.name };
}
