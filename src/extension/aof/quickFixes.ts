/**
 * Quick fixes for AOF files open as text (language `redis-aof`): the core's
 * repair plans (src/core/aof/repair.ts) as WorkspaceEdits, so that saving the
 * document writes exactly the bytes `redis-check-aof --fix` (or the plan)
 * leaves. That only holds when the document's text encodes back to the file's
 * bytes (valid UTF-8, line endings VS Code keeps, nothing a save participant
 * rewrites); otherwise — and for files with an RDB preamble, files over 50 MB
 * and files of a multi-part set that are not its last — the same repairs are
 * offered as the `redisInspector.repairAof` command, which works on the bytes
 * on disk with a backup.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseAof, type AofResult } from '../../core/aof/aofParser.js';
import { parseManifest } from '../../core/aof/manifest.js';
import { planDropLastCommand, planFix, planRemoveFlush, planStripUnclosedMulti, type RepairKind, type RepairOutcome, type RepairPlan } from '../../core/aof/repair.js';
import { MemorySource } from '../../core/bytes/byteSource.js';

/** The repair command's id (src/extension/aof/repairCommands.ts). */
export const REPAIR_COMMAND = 'redisInspector.repairAof';

/** Above this size VS Code opens files without most features: repairs go through the command. */
export const MAX_EDIT_SIZE = 50 * 1024 * 1024;

/** Code action kinds of the source actions: `source.redisAof.<kind>`. */
export const SOURCE_KIND = vscode.CodeActionKind.Source.append('redisAof');

/** The titles of the quick fixes, by repair. */
export const FIX_TITLES = {
  fix: 'Truncate at the last valid command (as redis-check-aof --fix)',
  'drop-last-command': 'Drop the bad tail command',
  'strip-unclosed-multi': 'Remove the unclosed MULTI block',
  /** `%s`: FLUSHALL or FLUSHDB. */
  'remove-flush': 'Remove the trailing %s (restore the data set as it was before the flush)',
} as const;

/** Suffix of the titles of command-based fixes (the document cannot be edited as text). */
export const ON_DISK_SUFFIX = ' — on disk, with a backup…';

/** Diagnostic codes each repair answers (besides any AOF error for the damage repairs). */
const CODES: Record<string, string[]> = {
  fix: ['aof.truncated', 'aof.format-error', 'aof.bad-crlf', 'aof.unclosed-multi'],
  'drop-last-command': ['aof.truncated', 'aof.unknown-command', 'aof.bad-arity', 'aof.empty-command'],
  'strip-unclosed-multi': ['aof.unclosed-multi'],
  'remove-flush': ['aof.trailing-flush'],
};

/** One applicable repair on the document. */
interface Candidate {
  kind: RepairKind;
  title: string;
  plan: RepairPlan;
  preferred: boolean;
}

/** What the document holds and how it may be repaired. */
interface Analysis {
  /** The bytes the plans are about (the file on disk, or the document's text as UTF-8). */
  bytes?: Uint8Array;
  result?: AofResult;
  candidates: Candidate[];
  /** Why the repairs are not offered as text edits (undefined: they are). */
  onDiskOnly?: string;
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  return typeof c === 'object' ? String(c.value) : String(c);
}

/** True when `name` is listed in a manifest of its directory and is not the set's last file. */
function notLastInSet(file: string): boolean {
  const dir = path.dirname(file);
  const name = path.basename(file);
  let manifests: string[];
  try {
    manifests = fs.readdirSync(dir).filter((f) => f.endsWith('.manifest') && !f.startsWith('temp-'));
  } catch {
    return false;
  }
  for (const m of manifests) {
    try {
      const manifest = parseManifest(new Uint8Array(fs.readFileSync(path.join(dir, m))));
      const order = [...manifest.entries.filter((e) => e.type === 'b'), ...manifest.entries.filter((e) => e.type === 'i')];
      const at = order.findIndex((e) => e.name === name);
      if (at >= 0 && at < order.length - 1) return true;
    } catch {
      // Not a manifest we can read: not a set.
    }
  }
  return false;
}

/** The repairs the core plans for `r`, most fitting first, without two that remove the same bytes. */
function candidates(file: string, r: AofResult): Candidate[] {
  const out: Candidate[] = [];
  const add = (kind: RepairKind, outcome: RepairOutcome, title: string, preferred: boolean) => {
    if (!('removals' in outcome)) return;
    const key = JSON.stringify(outcome.removals);
    if (out.some((c) => JSON.stringify(c.plan.removals) === key)) return;
    out.push({ kind, title, plan: outcome, preferred });
  };
  const flush = r.lastFlush;
  const removeFlush = () => {
    if (!flush) return;
    const name = flush.name.toUpperCase();
    const title = r.trailingFlush ? FIX_TITLES['remove-flush'].replace('%s', name) : `Remove the last ${name} (the ${flush.commandsAfter} commands after it stay)`;
    add('remove-flush', planRemoveFlush(file, r, false), title, r.ok && !!r.trailingFlush);
  };
  if (!r.ok) {
    add('strip-unclosed-multi', planStripUnclosedMulti(file, r), FIX_TITLES['strip-unclosed-multi'], r.openMulti);
    add('fix', planFix(file, r), FIX_TITLES.fix, !r.openMulti);
    add('drop-last-command', planDropLastCommand(file, r), FIX_TITLES['drop-last-command'], false);
    removeFlush();
  } else {
    // A trailing FLUSH is the last command's only "warning": removing it is the flush fix, not a bad command.
    removeFlush();
    if (r.lastCommandWarnings.some((w) => w !== 'aof.trailing-flush')) add('drop-last-command', planDropLastCommand(file, r), FIX_TITLES['drop-last-command'], true);
  }
  // One preferred fix at most, first.
  let seen = false;
  for (const c of out) {
    if (c.preferred && seen) c.preferred = false;
    if (c.preferred) seen = true;
  }
  return [...out.filter((c) => c.preferred), ...out.filter((c) => !c.preferred)];
}

/** The UTF-16 offset in `text` of byte `b` of its UTF-8 encoding `bytes`, or undefined inside a character. */
function charOffset(bytes: Uint8Array, b: number): number | undefined {
  if (b < 0 || b > bytes.length) return undefined;
  if (b < bytes.length && (bytes[b]! & 0xc0) === 0x80) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', 0, b).length;
}

/** Would a save participant (trim whitespace, final newlines) change `text` when the document is saved? */
function saveRewrites(document: vscode.TextDocument, text: string): boolean {
  const files = vscode.workspace.getConfiguration('files', document);
  if (files.get<boolean>('insertFinalNewline') && text.length > 0 && !text.endsWith('\n')) return true;
  if (files.get<boolean>('trimFinalNewlines') && /(\r?\n){2}$/.test(text)) return true;
  if (files.get<boolean>('trimTrailingWhitespace') && /[ \t]\r?$/m.test(text)) return true;
  return false;
}

function remainder(text: string, ranges: [number, number][]): string {
  let out = '';
  let at = 0;
  for (const [s, e] of ranges) {
    out += text.slice(at, s);
    at = e;
  }
  return out + text.slice(at);
}

/** Provides the quick fixes and source actions; one analysis per document version and file state. */
export class AofQuickFixProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, SOURCE_KIND],
  };

  private readonly cache = new Map<string, { key: string; analysis: Analysis }>();

  /** Forgets a closed document. */
  forget(document: vscode.TextDocument): void {
    this.cache.delete(document.uri.toString());
  }

  private analyse(document: vscode.TextDocument): Analysis {
    const onDisk = document.uri.scheme === 'file' && !document.isDirty;
    let stat: fs.Stats | undefined;
    if (onDisk) {
      try {
        stat = fs.statSync(document.uri.fsPath);
      } catch {
        stat = undefined;
      }
    }
    const key = `${document.version}:${document.isDirty}:${stat ? `${stat.size}:${stat.mtimeMs}` : '-'}`;
    const cached = this.cache.get(document.uri.toString());
    if (cached?.key === key) return cached.analysis;
    const analysis = this.compute(document, stat);
    this.cache.set(document.uri.toString(), { key, analysis });
    return analysis;
  }

  private compute(document: vscode.TextDocument, stat: fs.Stats | undefined): Analysis {
    const file = document.uri.scheme === 'file' ? path.basename(document.uri.fsPath) : path.posix.basename(document.uri.path);
    if (stat && stat.size > MAX_EDIT_SIZE) return { candidates: [], onDiskOnly: 'the file is larger than 50 MB' };
    let bytes: Uint8Array;
    if (stat) {
      // The file on disk: a text model normalises mixed line endings and decodes invalid UTF-8.
      bytes = new Uint8Array(fs.readFileSync(document.uri.fsPath));
    } else {
      bytes = new Uint8Array(Buffer.from(document.getText(), 'utf8'));
    }
    const result = parseAof(new MemorySource(bytes), {}, { fileName: file });
    const list = candidates(file, result);
    let onDiskOnly: string | undefined;
    if (result.preamble) onDiskOnly = 'the file starts with an RDB preamble';
    else if (stat && !Buffer.from(document.getText(), 'utf8').equals(bytes)) onDiskOnly = 'its text does not encode back to the bytes on disk (not UTF-8, or mixed line endings)';
    else if (document.uri.scheme === 'file' && notLastInSet(document.uri.fsPath)) onDiskOnly = 'it is not the last file of its multi-part set';
    return { bytes, result, candidates: list, onDiskOnly };
  }

  provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    let analysis: Analysis;
    try {
      analysis = this.analyse(document);
    } catch {
      return [];
    }
    const wantQuickFix = !context.only || context.only.contains(vscode.CodeActionKind.QuickFix) || vscode.CodeActionKind.QuickFix.contains(context.only);
    const wantSource = !context.only || context.only.contains(SOURCE_KIND) || SOURCE_KIND.contains(context.only) || vscode.CodeActionKind.Source.contains(context.only);
    const actions: vscode.CodeAction[] = [];

    if (analysis.candidates.length === 0 && analysis.onDiskOnly && !analysis.result) {
      // Too large to analyse here: the command reads the file in full.
      const attached = context.diagnostics.filter((d) => codeOf(d)?.startsWith('aof.'));
      const make = (kind: vscode.CodeActionKind): vscode.CodeAction => {
        const a = new vscode.CodeAction(`Repair this AOF${ON_DISK_SUFFIX}`, kind);
        a.command = { command: REPAIR_COMMAND, title: a.title, arguments: [{ uri: document.uri }] };
        return a;
      };
      if (wantQuickFix && attached.length > 0) actions.push(Object.assign(make(vscode.CodeActionKind.QuickFix), { diagnostics: attached }));
      if (wantSource) actions.push(make(SOURCE_KIND.append('repair')));
      return actions;
    }

    for (const c of analysis.candidates) {
      const attached = context.diagnostics.filter((d) => {
        const code = codeOf(d);
        if (!code) return false;
        if (CODES[c.kind]?.includes(code)) return true;
        return c.kind !== 'remove-flush' && d.severity === vscode.DiagnosticSeverity.Error && code.startsWith('aof.');
      });
      const edit = analysis.onDiskOnly ? undefined : this.editFor(document, analysis.bytes!, c.plan);
      const make = (kind: vscode.CodeActionKind): vscode.CodeAction => {
        const a = new vscode.CodeAction(edit ? c.title : `${c.title}${ON_DISK_SUFFIX}`, kind);
        if (edit) a.edit = edit;
        else a.command = { command: REPAIR_COMMAND, title: a.title, arguments: [{ uri: document.uri, kind: c.kind }] };
        return a;
      };
      if (wantQuickFix) {
        // Where the bytes go, or on a matching diagnostic.
        const start = this.position(document, analysis.bytes!, c.plan.removals[0]!.start);
        const end = this.position(document, analysis.bytes!, c.plan.removals[c.plan.removals.length - 1]!.end);
        const touches = start && end ? range.intersection(new vscode.Range(start, end)) !== undefined : true;
        if (attached.length > 0 || touches) {
          const a = make(vscode.CodeActionKind.QuickFix);
          a.isPreferred = c.preferred && !!edit;
          if (attached.length > 0) a.diagnostics = attached;
          actions.push(a);
        }
      }
      if (wantSource) actions.push(make(SOURCE_KIND.append(c.kind)));
    }
    return actions;
  }

  private position(document: vscode.TextDocument, bytes: Uint8Array, b: number): vscode.Position | undefined {
    const o = charOffset(bytes, b);
    return o === undefined ? undefined : document.positionAt(o);
  }

  /** The plan's removals as deletions, or undefined when they do not map exactly onto the text. */
  private editFor(document: vscode.TextDocument, bytes: Uint8Array, plan: RepairPlan): vscode.WorkspaceEdit | undefined {
    const text = document.getText();
    const ranges: [number, number][] = [];
    for (const r of plan.removals) {
      const s = charOffset(bytes, r.start);
      const e = charOffset(bytes, r.end);
      if (s === undefined || e === undefined) return undefined;
      // An offset between '\r' and '\n' has no position of its own.
      if (document.offsetAt(document.positionAt(s)) !== s || document.offsetAt(document.positionAt(e)) !== e) return undefined;
      ranges.push([s, e]);
    }
    const after = remainder(text, ranges);
    if (Buffer.byteLength(after, 'utf8') !== plan.newSize) return undefined;
    if (saveRewrites(document, after)) return undefined;
    const edit = new vscode.WorkspaceEdit();
    for (const [s, e] of ranges) edit.delete(document.uri, new vscode.Range(document.positionAt(s), document.positionAt(e)));
    return edit;
  }
}

/** Registers the provider for `redis-aof` documents. */
export function registerAofQuickFixes(context: vscode.ExtensionContext): void {
  const provider = new AofQuickFixProvider();
  context.subscriptions.push(
    vscode.languages.registerCodeActionsProvider({ language: 'redis-aof' }, provider, AofQuickFixProvider.metadata),
    vscode.workspace.onDidCloseTextDocument((d) => provider.forget(d)),
  );
}
