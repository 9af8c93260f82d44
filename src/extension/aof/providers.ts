/**
 * Reading aids for `redis-aof` documents: a hover on every command record
 * (the command on one line, offset, length, DB, transaction, time), document
 * symbols grouped by SELECT DB and by MULTI … EXEC, folding per command and
 * per transaction, and links from a manifest to the files it lists.
 */

import * as vscode from 'vscode';
import { parseManifest } from '../../core/aof/manifest.js';
import { formatOffset } from '../../core/model/problem.js';
import { latin1 } from '../../core/text/bytesText.js';
import { commandText } from '../../cli/aof.js';
import { commandAt, commandWithArgs, documentBytes, getAnalysis, recordArgs, toRange, trimBreak, type AofAnalysis } from './analysis.js';
import { fileNameSpan, listedFileUri } from './diagnostics.js';

/** Commands listed as symbols; a note symbol stands for the rest. */
export const SYMBOL_LIMIT = 10_000;
/** Folding ranges returned at most (the editor keeps 5000 by default). */
const FOLDING_LIMIT = 20_000;
const NAME_MAX = 120;

export function isoSeconds(s: number): string {
  return new Date(s * 1000).toISOString().replace('.000Z', 'Z');
}

/** A code block whose fence no backtick run inside can close. */
function codeBlock(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

export class AofHoverProvider implements vscode.HoverProvider {
  async provideHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const a = await getAnalysis(doc);
    const offset = a.index.offsetAt(position);
    const i = commandAt(a.commands, offset);
    if (i < 0) return annotationHover(a, offset);
    const c = a.commands;
    const start = c.start[i]!;
    const end = c.end[i]!;
    const facts = [`Offset ${formatOffset(start)}`, `length ${end - start} bytes`, `DB ${c.db[i]}`];
    const tx = c.tx[i]!;
    if (tx >= 0) facts.push(`in the transaction of the MULTI at ${formatOffset(c.start[tx]!)}`);
    if (c.ts[i]! >= 0) facts.push(`#TS ${isoSeconds(c.ts[i]!)}`);
    if (c.afterDamage.has(i)) facts.push('after the damage (redis-check-aof stops before it)');
    const md = new vscode.MarkdownString();
    md.appendMarkdown(codeBlock(commandText(commandWithArgs(a, i))));
    md.appendMarkdown(`\n\nCommand ${i + 1}: ${facts.join(' · ')}`);
    return new vscode.Hover(md, toRange(a, start, end));
  }
}

function annotationHover(a: AofAnalysis, offset: number): vscode.Hover | undefined {
  const ann = a.annotations.find((x) => x.start <= offset && offset < x.end);
  if (!ann || ann.timestampSec === undefined) return undefined;
  return new vscode.Hover(`Timestamp annotation: ${isoSeconds(ann.timestampSec)} (offset ${formatOffset(ann.start)})`, toRange(a, ann.start, ann.end));
}

/** A symbol being built, by byte offsets. */
interface Node {
  name: string;
  detail: string;
  kind: vscode.SymbolKind;
  start: number;
  end: number;
  /** End of the first line's record (the selection range). */
  selEnd: number;
  children: Node[];
}

function commandName(a: AofAnalysis, i: number): string {
  const text = commandText(commandWithArgs(a, i));
  const one = text.length > NAME_MAX ? `${text.slice(0, NAME_MAX)}…` : text;
  return one || '(empty command)';
}

/** The DB a SELECT record selects, or undefined. */
function selectedDb(a: AofAnalysis, i: number): number | undefined {
  const args = recordArgs(a.bytes, a.commands.start[i]!, a.commands.end[i]!);
  const db = Number(latin1(args[1] ?? new Uint8Array()));
  return args.length >= 2 && Number.isInteger(db) && db >= 0 ? db : undefined;
}

/** The symbol tree by offsets: DB groups (Namespace) of commands (Function) and transactions (Event). */
export function symbolTree(a: AofAnalysis, limit = SYMBOL_LIMIT): Node[] {
  const c = a.commands;
  const top: Node[] = [];
  let group: (Node & { db: number }) | undefined;
  let tx: (Node & { multi: number }) | undefined;
  const n = Math.min(c.count, limit);
  const newGroup = (db: number, at: number) => {
    group = { name: `DB ${db}`, detail: '', kind: vscode.SymbolKind.Namespace, start: at, end: at, selEnd: at, children: [], db };
    top.push(group);
    return group;
  };
  const closeTx = () => {
    if (!tx) return;
    const inner = tx.children.filter((k) => k.name !== 'MULTI' && k.name !== 'EXEC').length;
    tx.detail = `${inner} command${inner === 1 ? '' : 's'}`;
    tx = undefined;
  };
  for (let i = 0; i < n; i++) {
    const start = c.start[i]!;
    const end = c.end[i]!;
    const node: Node = { name: commandName(a, i), detail: formatOffset(start), kind: vscode.SymbolKind.Function, start, end, selEnd: end, children: [] };
    const txIndex = c.tx[i]!;
    if (txIndex >= 0) {
      if (!tx || tx.multi !== txIndex) {
        closeTx();
        const g = group ?? newGroup(c.db[i]!, start);
        tx = { name: 'MULTI … EXEC', detail: '', kind: vscode.SymbolKind.Event, start, end, selEnd: end, children: [], multi: txIndex };
        g.children.push(tx);
      }
      tx.children.push(node);
      tx.end = end;
      group!.end = end;
      if (c.name[i] === 'exec') closeTx();
      continue;
    }
    if (tx) {
      // A transaction that never saw its EXEC.
      tx.name = 'MULTI … (no EXEC)';
      closeTx();
    }
    let g = group;
    if (c.name[i] === 'select') {
      const db = selectedDb(a, i) ?? c.db[i]!;
      if (!g || (g.children.length > 0 && g.db !== db)) g = newGroup(db, start);
      else if (g.db !== db) {
        g.db = db;
        g.name = `DB ${db}`;
      }
    } else if (!g) g = newGroup(c.db[i]!, start);
    if (g.children.length === 0) {
      g.start = start;
      g.selEnd = end;
    }
    g.children.push(node);
    g.end = end;
  }
  if (tx && n === c.count) {
    // The file ends inside the transaction.
    (tx as Node).name = 'MULTI … (no EXEC)';
  }
  closeTx();
  for (const g of top) {
    const count = countCommands(g);
    g.detail = `${count} command${count === 1 ? '' : 's'}`;
  }
  if (c.count > n) {
    const start = c.start[n]!;
    top.push({
      name: `… ${c.count - n} more commands not listed`,
      detail: `the outline lists the first ${n}`,
      kind: vscode.SymbolKind.Null,
      start,
      end: c.end[c.count - 1]!,
      selEnd: c.end[n]!,
      children: [],
    });
  }
  return top;
}

function countCommands(n: Node): number {
  return n.children.reduce((k, ch) => k + (ch.children.length ? countCommands(ch) : 1), 0);
}

export class AofSymbolProvider implements vscode.DocumentSymbolProvider {
  async provideDocumentSymbols(doc: vscode.TextDocument): Promise<vscode.DocumentSymbol[]> {
    const a = await getAnalysis(doc);
    const make = (n: Node): vscode.DocumentSymbol => {
      const range = toRange(a, n.start, n.end);
      const sel = toRange(a, n.start, Math.min(n.end, n.selEnd));
      const s = new vscode.DocumentSymbol(n.name, n.detail, n.kind, range, range.contains(sel) ? sel : range);
      s.children = n.children.map(make);
      return s;
    };
    return symbolTree(a).map(make);
  }
}

export class AofFoldingProvider implements vscode.FoldingRangeProvider {
  async provideFoldingRanges(doc: vscode.TextDocument): Promise<vscode.FoldingRange[]> {
    const a = await getAnalysis(doc);
    const c = a.commands;
    const out: vscode.FoldingRange[] = [];
    const lines = (s: number, e: number): [number, number] => [a.index.lineAt(s), a.index.lineAt(Math.max(s, trimBreak(a.bytes, s, e) - 1))];
    for (let i = 0; i < c.count && out.length < FOLDING_LIMIT; i++) {
      const tx = c.tx[i]!;
      if (tx === i) {
        // The MULTI's line starts its transaction's range (one range per start line).
        let last = i;
        while (last + 1 < c.count && c.tx[last + 1] === i) last++;
        const [s, e] = lines(c.start[i]!, c.end[last]!);
        if (e > s) out.push(new vscode.FoldingRange(s, e, vscode.FoldingRangeKind.Region));
        continue;
      }
      const [s, e] = lines(c.start[i]!, c.end[i]!);
      if (e > s) out.push(new vscode.FoldingRange(s, e));
    }
    return out;
  }
}

export class ManifestLinkProvider implements vscode.DocumentLinkProvider {
  async provideDocumentLinks(doc: vscode.TextDocument): Promise<vscode.DocumentLink[]> {
    const { bytes, index } = await documentBytes(doc);
    const m = parseManifest(bytes);
    const pos = (o: number) => {
      const p = index.positionAt(o);
      return new vscode.Position(p.line, p.character);
    };
    return m.entries.map((e) => {
      const [s, t] = fileNameSpan(bytes, e);
      const link = new vscode.DocumentLink(new vscode.Range(pos(s), pos(t)), listedFileUri(doc.uri, e.name));
      link.tooltip = `Open the ${e.type === 'b' ? 'BASE' : e.type === 'i' ? 'INCR' : 'HISTORY'} file ${e.name} (seq ${e.seq})`;
      return link;
    });
  }
}
