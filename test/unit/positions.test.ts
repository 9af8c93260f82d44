import { strict as assert } from 'node:assert';
import { MemorySource } from '../../src/core/bytes/byteSource.js';
import { byteOfCharacter, characterIn, LineIndex, SparsePositions, utf16Length } from '../../src/core/text/positions.js';

const bytes = (...parts: (string | number[])[]) => new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p)))));
const pos = (line: number, character: number) => ({ line, character });

/** Both implementations agree on every asked offset. */
function sparse(b: Uint8Array, offsets: number[], stepBytes?: number) {
  const s = new SparsePositions(new MemorySource(b), offsets);
  while (!s.step(stepBytes)) {
    /* more */
  }
  return offsets.map((o) => s.positionAt(o));
}

function positions(b: Uint8Array, offsets: number[]) {
  const idx = LineIndex.fromBytes(b);
  const full = offsets.map((o) => idx.positionAt(o));
  assert.deepEqual(sparse(b, offsets), full, 'SparsePositions disagrees with LineIndex');
  assert.deepEqual(sparse(b, offsets, 1), full, 'SparsePositions (1-byte steps) disagrees with LineIndex');
  return full;
}

const td = new TextDecoder();

/** The document VS Code makes of these bytes: lines of the decoded text. */
function referenceLines(b: Uint8Array): string[] {
  return td.decode(b).split(/\r\n|\r|\n/);
}

describe('positions: byte offsets ↔ VS Code positions', () => {
  describe('line breaks', () => {
    it('LF, CRLF and a lone CR each end one line', () => {
      const b = bytes('ab\ncd\r\nef\rgh');
      const idx = LineIndex.fromBytes(b);
      assert.equal(idx.lineCount, 4);
      assert.deepEqual(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((o) => idx.positionAt(o)),
        [pos(0, 0), pos(0, 1), pos(0, 2), pos(1, 0), pos(1, 1), pos(1, 2), pos(1, 2), pos(2, 0), pos(2, 1), pos(2, 2), pos(3, 0), pos(3, 1), pos(3, 2)],
      );
      positions(b, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      assert.deepEqual([0, 1, 2, 3].map((l) => [idx.lineStart(l), idx.lineEnd(l)]), [[0, 2], [3, 5], [7, 9], [10, 12]]);
      assert.equal(idx.offsetAt(pos(1, 2)), 5);
      assert.equal(idx.offsetAt(pos(1, 99)), 5, 'characters past the end clamp to the line end');
      assert.equal(idx.offsetAt(pos(2, 1)), 8);
      assert.equal(idx.offsetAt(pos(3, 0)), 10);
      assert.equal(idx.offsetAt(pos(9, 0)), 12, 'lines past the end clamp to the end');
    });

    it('\\r\\r\\n is two breaks, \\n\\r is two, a trailing break opens an empty last line', () => {
      const b = bytes('a\r\r\nb\n\rc\n');
      const idx = LineIndex.fromBytes(b);
      assert.equal(idx.lineCount, referenceLines(b).length);
      assert.equal(idx.lineCount, 6);
      assert.deepEqual(positions(b, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), [
        pos(0, 0), pos(0, 1), pos(1, 0), pos(1, 0), pos(2, 0), pos(2, 1), pos(3, 0), pos(4, 0), pos(4, 1), pos(5, 0), pos(5, 0),
      ]);
    });

    it('a CR at the end, a CRLF split across reads', () => {
      const b = new Uint8Array((1 << 20) + 2).fill(0x61);
      b[(1 << 20) - 1] = 0x0d;
      b[1 << 20] = 0x0a;
      const idx = LineIndex.fromBytes(b);
      assert.equal(idx.lineCount, 2);
      assert.equal(idx.lineStart(1), (1 << 20) + 1);
      assert.deepEqual(positions(b, [(1 << 20) - 1, 1 << 20, (1 << 20) + 1, (1 << 20) + 2]), [
        pos(0, (1 << 20) - 1), pos(0, (1 << 20) - 1), pos(1, 0), pos(1, 1),
      ]);
      const cr = bytes('x\r');
      assert.equal(LineIndex.fromBytes(cr).lineCount, 2);
      assert.deepEqual(positions(cr, [1, 2]), [pos(0, 1), pos(1, 0)]);
    });

    it('an empty document has one empty line', () => {
      const idx = LineIndex.fromBytes(new Uint8Array(0));
      assert.equal(idx.lineCount, 1);
      assert.deepEqual(idx.positionAt(0), pos(0, 0));
      assert.deepEqual(idx.positionAt(5), pos(0, 0));
      assert.equal(idx.offsetAt(pos(0, 3)), 0);
    });
  });

  describe('characters: UTF-16 code units of the UTF-8 text', () => {
    it('2-, 3- and 4-byte characters (a surrogate pair counts two)', () => {
      // é (2 bytes) € (3 bytes) 😀 (4 bytes, 2 code units) x
      const b = bytes('é€😀x\né');
      assert.deepEqual(positions(b, [0, 2, 5, 9, 10, 11, 13]), [pos(0, 0), pos(0, 1), pos(0, 2), pos(0, 4), pos(0, 5), pos(1, 0), pos(1, 1)]);
      const idx = LineIndex.fromBytes(b);
      assert.deepEqual([0, 1, 2, 3, 4, 5].map((c) => idx.offsetAt(pos(0, c))), [0, 2, 5, 5, 9, 10], 'character 3 (inside the pair) is the pair');
      assert.equal(idx.lineLength(0), 5);
    });

    it('an offset inside a multi-byte character maps to that character', () => {
      const b = bytes('a€b');
      assert.deepEqual(positions(b, [1, 2, 3, 4]), [pos(0, 1), pos(0, 1), pos(0, 1), pos(0, 2)]);
      const four = bytes('😀|');
      assert.deepEqual(positions(four, [1, 2, 3, 4]), [pos(0, 0), pos(0, 0), pos(0, 0), pos(0, 2)]);
    });

    it('invalid bytes: one U+FFFD per maximal ill-formed subsequence, as TextDecoder', () => {
      const cases: [number[], number][] = [
        [[0xff], 1],
        [[0x80, 0x80], 2],
        [[0xe2, 0x82], 1], // truncated € at the end
        [[0xe2, 0x82, 0x41], 2], // truncated € then 'A'
        [[0xe0, 0x80], 2], // E0 needs A0..BF: E0 alone, then a lone continuation
        [[0xed, 0xa0, 0x80], 3], // a surrogate: three replacements
        [[0xf0, 0x9f, 0x98], 1],
        [[0xf4, 0x90, 0x80, 0x80], 4],
        [[0xc0, 0xaf], 2],
        [[0xc3, 0xa9, 0xff, 0xf0, 0x9f, 0x98, 0x80], 4],
      ];
      for (const [raw, expected] of cases) {
        const b = new Uint8Array(raw);
        assert.equal(td.decode(b).length, expected, `TextDecoder on ${raw}`);
        assert.equal(utf16Length(b), expected, `utf16Length on ${raw}`);
        assert.equal(characterIn(b, b.length), expected, `characterIn on ${raw}`);
      }
    });

    it('positions across invalid bytes', () => {
      // 'a' FF 'b' E2 82 (truncated) 'c' \n F0 9F 98 80 (😀) C3 (lone lead) 'd'
      const b = bytes('a', [0xff], 'b', [0xe2, 0x82], 'c\n', [0xf0, 0x9f, 0x98, 0x80, 0xc3], 'd');
      assert.deepEqual(referenceLines(b), ['a\ufffdb\ufffdc', '😀\ufffdd']);
      assert.deepEqual(positions(b, [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13]), [
        pos(0, 0), pos(0, 1), pos(0, 2), pos(0, 3), pos(0, 3), pos(0, 4), pos(0, 5), pos(1, 0), pos(1, 0), pos(1, 2), pos(1, 3), pos(1, 4),
      ]);
      const idx = LineIndex.fromBytes(b);
      assert.deepEqual([0, 1, 2, 3, 4, 5].map((c) => idx.offsetAt(pos(0, c))), [0, 1, 2, 3, 5, 6]);
      assert.deepEqual([0, 1, 2, 3, 4].map((c) => idx.offsetAt(pos(1, c))), [7, 7, 11, 12, 13]);
      assert.equal(byteOfCharacter(new Uint8Array([0xe2, 0x82, 0x41]), 1), 2);
    });

    it('a UTF-8 BOM is not text', () => {
      const b = bytes([0xef, 0xbb, 0xbf], 'ab\ncd');
      const idx = LineIndex.fromBytes(b);
      assert.equal(idx.bom, 3);
      assert.deepEqual(positions(b, [0, 2, 3, 4, 6, 7]), [pos(0, 0), pos(0, 0), pos(0, 0), pos(0, 1), pos(1, 0), pos(1, 1)]);
      assert.equal(idx.offsetAt(pos(0, 0)), 3);
    });
  });

  describe('an AOF record', () => {
    it('maps a command with a binary payload', () => {
      // *3 SET k <é \r \xff>: the lone CR inside the payload is a line break for the editor.
      const b = bytes('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n', [0xc3, 0xa9, 0x0d, 0xff], '\r\n*1\r\n$4\r\nPING\r\n');
      const idx = LineIndex.fromBytes(b);
      assert.equal(idx.lineCount, referenceLines(b).length);
      assert.equal(idx.lineCount, 12);
      const payload = 24;
      assert.deepEqual(positions(b, [0, 4, payload, payload + 2, payload + 3, payload + 4, payload + 6, b.length]), [
        pos(0, 0), pos(1, 0), pos(6, 0), pos(6, 1), pos(7, 0), pos(7, 1), pos(8, 0), pos(11, 0),
      ]);
      assert.equal(idx.offsetAt(pos(8, 0)), payload + 6);
    });
  });

  describe('agrees with TextDecoder on random bytes', () => {
    it('every cut-safe offset of 400 random documents', () => {
      let seed = 12345;
      const rand = () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed >>> 8;
      };
      const alphabet = [0x61, 0x0d, 0x0a, 0x80, 0xbf, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xe0, 0xa0, 0xed, 0xf0, 0x9f, 0x98, 0x80, 0xf4, 0x8f, 0xff, 0xc0];
      for (let n = 0; n < 400; n++) {
        const len = rand() % 40;
        const b = new Uint8Array(len);
        for (let i = 0; i < len; i++) b[i] = alphabet[rand() % alphabet.length]!;
        if (b[0] === 0xef) b[0] = 0x61;
        const idx = LineIndex.fromBytes(b);
        const lines = referenceLines(b);
        assert.equal(idx.lineCount, lines.length, `line count of ${[...b]}`);
        lines.forEach((l, i) => assert.equal(idx.lineLength(i), l.length, `line ${i} of ${[...b]}`));
        const whole = td.decode(b);
        const offsets: number[] = [];
        for (let o = 0; o <= len; o++) offsets.push(o);
        const got = positions(b, offsets);
        for (let o = 0; o <= len; o++) {
          const prefix = td.decode(b.subarray(0, o));
          if (prefix + td.decode(b.subarray(o)) !== whole) continue; // o is inside a character
          // On the \n of a \r\n the position is the end of the line.
          const text = b[o - 1] === 0x0d && b[o] === 0x0a ? prefix.slice(0, -1) : prefix;
          const ls = text.split(/\r\n|\r|\n/);
          const expected = pos(ls.length - 1, ls[ls.length - 1]!.length);
          assert.deepEqual(got[o], expected, `offset ${o} of ${[...b]}`);
          if (!(b[o - 1] === 0x0d && b[o] === 0x0a)) assert.equal(idx.offsetAt(expected), o, `offsetAt(${JSON.stringify(expected)}) of ${[...b]}`);
        }
      }
    });
  });
});
