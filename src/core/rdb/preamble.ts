/**
 * Whether an RDB is the preamble of a hybrid AOF, by its own word: Redis
 * 4.0–6.2 write the AUX field `aof-preamble 1` into every preamble (redis
 * `src/rdb.c` `rdbSaveInfoAuxFields`). AUX fields come first, so this reads
 * only the top of the file.
 */

import type { ByteSource } from '../bytes/byteSource.js';
import { latin1 } from '../text/bytesText.js';
import { parseRdb } from './parser.js';

/** True when the RDB's AUX fields say `aof-preamble 1`. */
export function hasAofPreambleMark(source: ByteSource): boolean {
  let preamble = false;
  parseRdb(
    source,
    {
      aux(a) {
        if (latin1(a.key) === 'aof-preamble' && latin1(a.value) === '1') preamble = true;
      },
      // Anything after the AUX fields ends the look.
      selectDb: () => false,
      functionLibrary: () => false,
      key: () => false,
    },
    { keepStrings: false, detectDuplicateKeys: false, verifyChecksum: false },
  );
  return preamble;
}
