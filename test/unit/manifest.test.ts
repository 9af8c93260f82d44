// The multi-part AOF manifest read exactly as Redis's aofLoadManifestFromFile
// reads it: sdssplitargs quoting, case-insensitive keys, extra keys kept, and
// each rejection with Redis's message and the manifest line.

import { strict as assert } from 'node:assert';
import { formatEntry, loadOrder, looksLikeManifest, parseManifest, quoteName, splitArgs } from '../../src/core/aof/manifest.js';
import { rewriteManifest } from '../../src/core/aof/repair.js';

const m = (s: string) => parseManifest(Buffer.from(s, 'latin1'));
const firstProblem = (s: string) => {
  const r = m(s);
  assert.equal(r.ok, false);
  return [r.problems[0]!.code, r.problems[0]!.message];
};

describe('manifest grammar (sdssplitargs)', () => {
  it('splits on whitespace and reads double quotes with escapes', () => {
    assert.deepEqual(splitArgs('file "my file\\x41\\n\\"q\\"" seq 2'), ['file', 'my fileA\n"q"', 'seq', '2']);
  });
  it("reads single quotes, where only \\' is an escape", () => {
    assert.deepEqual(splitArgs("a 'it\\'s \\n' b"), ['a', "it's \\n", 'b']);
  });
  it('joins quoted parts inside a token and rejects a quote not followed by a space', () => {
    assert.deepEqual(splitArgs('ab"cd" x'), ['abcd', 'x']);
    assert.equal(splitArgs('"ab"cd'), undefined);
    assert.equal(splitArgs('"unterminated'), undefined);
  });
  it('stops at a NUL byte, like a C string', () => {
    assert.deepEqual(splitArgs('a b\0c d'), ['a', 'b']);
  });
  it('quotes names the way Redis writes them and round-trips through the reader', () => {
    // (A backslash would be quoted too, but Redis refuses it in a name: "File can't be a path".)
    for (const name of ['appendonly.aof.1.base.rdb', 'my file.aof', 'tab\there', 'q"uote', 'bin\x01\xff']) {
      const line = `file ${quoteName(name)} seq 1 type b\n`;
      const r = m(line);
      assert.equal(r.ok, true, line);
      assert.equal(r.base!.name, name);
    }
    assert.equal(quoteName('plain.aof'), 'plain.aof');
    assert.equal(quoteName('my file'), '"my file"');
  });
});

describe('manifest validation as Redis does it', () => {
  it('reads a written manifest: base, history in Redis order, incr; load order skips history', () => {
    const r = m(
      'file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.2.incr.aof seq 2 type h\nfile appendonly.aof.2.base.rdb seq 2 type h\nfile appendonly.aof.3.incr.aof seq 3 type i\n',
    );
    assert.equal(r.ok, true);
    assert.deepEqual(
      loadOrder(r).map((e) => [e.name, e.seq, e.type, e.line]),
      [
        ['appendonly.aof.3.base.rdb', 3, 'b', 1],
        ['appendonly.aof.3.incr.aof', 3, 'i', 4],
      ],
    );
    assert.equal(r.history.length, 2);
  });

  it('accepts comments, upper-case keys, quoted names and unknown keys (kept for rewriting)', () => {
    const r = m('# a comment\nfile "my file.2.base.aof" seq 2 type b\nFILE x.incr.aof SEQ 2 TYPE i futurekey futureval startoffset 10\n');
    assert.equal(r.ok, true);
    assert.equal(r.lines, 3);
    assert.equal(r.base!.name, 'my file.2.base.aof');
    assert.deepEqual(r.incr[0]!.extra, [
      ['futurekey', 'futureval'],
      ['startoffset', '10'],
    ]);
    assert.equal(formatEntry(r.incr[0]!), 'file x.incr.aof seq 2 type i futurekey futureval startoffset 10\n');
  });

  it('rejects a last line without newline ("too long line")', () => {
    const [code, message] = firstProblem('file a seq 1 type b');
    assert.equal(code, 'manifest.line-too-long');
    assert.match(message!, /^The AOF manifest file contains too long line/);
  });
  it('rejects a blank line at its line number', () => {
    const r = m('file a seq 1 type b\n\nfile b seq 1 type i\n');
    assert.deepEqual([r.problems[0]!.code, r.problems[0]!.offset], ['manifest.invalid-format', 20]);
    assert.match(r.problems[0]!.message, /manifest line 2/);
  });
  it('rejects missing seq, seq 0, odd token counts and garbage seq', () => {
    assert.equal(firstProblem('file a type b x\n')[0], 'manifest.invalid-format');
    assert.equal(firstProblem('file a seq 0 type b\n')[0], 'manifest.invalid-format');
    assert.equal(firstProblem('file a seq 1 type\n')[0], 'manifest.invalid-format');
    assert.equal(firstProblem('file a seq abc type b\n')[0], 'manifest.invalid-format');
  });
  it('rejects a path as file name, a second base, a non-monotonic incr seq and an unknown type', () => {
    assert.deepEqual(firstProblem('file ../a seq 1 type b\n'), ['manifest.path-in-name', "File can't be a path, just a filename (manifest line 1: 'file ../a seq 1 type b')"]);
    assert.equal(firstProblem('file a seq 1 type b\nfile b seq 2 type b\n')[0], 'manifest.duplicate-base');
    assert.equal(firstProblem('file a seq 2 type i\nfile b seq 1 type i\n')[0], 'manifest.non-monotonic-seq');
    assert.equal(firstProblem('file a seq 2 type i\nfile b seq 2 type i\n')[0], 'manifest.non-monotonic-seq');
    assert.equal(firstProblem('file a seq 1 type x\n')[0], 'manifest.unknown-type');
  });
  it('rejects an empty manifest but accepts one of comments only', () => {
    assert.equal(firstProblem('')[0], 'manifest.empty');
    const r = m('# nothing here\n');
    assert.equal(r.ok, true);
    assert.deepEqual(loadOrder(r), []);
  });
  it('uses the last value of a repeated key and the first character of the type', () => {
    const r = m('file a seq 1 seq 5 type incr\n');
    assert.deepEqual([r.incr[0]!.seq, r.incr[0]!.type], [5, 'i']);
  });
});

describe('manifest detection and rewriting', () => {
  it('detects a manifest as redis-check-aof 7.2+ does: the first non-comment line starts with "file"', () => {
    assert.equal(looksLikeManifest(Buffer.from('# c\nfile a seq 1 type b\n')), true);
    assert.equal(looksLikeManifest(Buffer.from('*2\r\n$6\r\nSELECT\r\n')), false);
    assert.equal(looksLikeManifest(Buffer.from('')), false);
  });
  it('rewrites a manifest without dropped entries, BASE then HISTORY then INCR', () => {
    const r = m('file i2 seq 2 type i\nfile b seq 1 type b\nfile h seq 1 type h\nfile i3 seq 3 type i\n');
    const drop = new Set([r.incr[1]!]);
    assert.equal(rewriteManifest(r.entries, drop), 'file b seq 1 type b\nfile h seq 1 type h\nfile i2 seq 2 type i\n');
  });
});
