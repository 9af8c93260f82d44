/**
 * The check worker (a Node worker thread): runs the core's one-pass checks off
 * the extension host's thread — RDB, single AOF or multi-part set, decided by
 * content as the CLI decides — reading local files positionally or bytes the
 * host handed over, and posts batched progress. It also plans and applies the
 * AOF repairs of the repair command, and undoes them (a 200 MB AOF is read and
 * copied here, not in the extension host).
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { parseAof, type AofResult } from '../core/aof/aofParser.js';
import { checkAofSet } from '../core/aof/aofSet.js';
import { MemorySource, type ByteSource } from '../core/bytes/byteSource.js';
import { checkRdb, type CheckReport } from '../core/check.js';
import { detectFormat } from '../core/format.js';
import { planForSet, planRepair, type RepairKind, type RepairOutcome, type RepairPlan } from '../core/aof/repair.js';
import { readAof } from '../cli/aof.js';
import { diffJson } from '../cli/diff.js';
import { FileSource } from '../cli/fileSource.js';
import { applyRepairPlan, restoreBackup, targetDir } from '../cli/fix.js';
import { openInDir, resolveTarget, type Target } from '../cli/target.js';
import { WORKER_PROTOCOL_VERSION, type RenderFile, type RepairChoice, type RepairPlanOptions, type WorkerMessage, type WorkerRequest } from '../protocol/worker.js';
import { renderAofSet, renderPersistence } from '../core/diff/render.js';

/**
 * Checks one file as an AOF, or as an RDB — unless commands follow its
 * checksum, which makes it a hybrid AOF whatever its name: then (only then) it
 * is read a second time, as an AOF.
 */
function checkSource(source: ByteSource, name: string, asAof: boolean, onProgress: (offset: number, size: number) => void): CheckReport {
  const aof = (): CheckReport => ({ kind: 'aof', result: parseAof(source, { progress: onProgress }, { fileName: name }) });
  if (asAof) return aof();
  const summary = checkRdb(source, { onProgress });
  const end = summary.result.rdbEnd;
  if (end !== undefined && end < source.size && summary.result.problems.some((p) => p.code === 'rdb.trailing-bytes')) {
    const next = source.read(end, 1)[0];
    if (next === 0x2a || next === 0x23) return aof();
  }
  return { kind: 'rdb', summary };
}

/** Handles one request; every request settles with a result or an error. */
export function handle(req: WorkerRequest, post: (m: WorkerMessage) => void): void {
  const opened: FileSource[] = [];
  let lastPct = -1;
  const onProgress = (offset: number, size: number) => {
    const pct = size ? Math.floor((offset / size) * 100) : 100;
    if (pct === lastPct) return;
    lastPct = pct;
    post({ type: 'progress', replyTo: req.id, offset, size });
  };
  try {
    if (req.type === 'repair-plan') {
      const { choices, refusals } = planRepairs(req.target, req.options, onProgress);
      post({ type: 'repair-plans', replyTo: req.id, choices, refusals });
      return;
    }
    if (req.type === 'repair') {
      const { backup, resultFile } = applyRepairPlan(req.target, req.plan, { backup: req.backup });
      post({ type: 'repaired', replyTo: req.id, backup, resultFile });
      return;
    }
    if (req.type === 'restore') {
      const { restored, message } = restoreBackup(req.backup, { force: req.force === true });
      post({ type: 'restored', replyTo: req.id, restored, message });
      return;
    }
    if (req.type === 'diff') {
      const out = diffJson(req.a, req.b, { maxChanges: req.maxChanges });
      post('failure' in out ? { type: 'diffed', replyTo: req.id, failure: out.failure } : { type: 'diffed', replyTo: req.id, json: out.json, shown: out.shown, total: out.total });
      return;
    }
    if (req.type === 'render') {
      post({ type: 'rendered', replyTo: req.id, text: render(req.files, req.manifest, req.aux, opened) });
      return;
    }
    let report: CheckReport;
    if ('path' in req) {
      const target = resolveTarget(req.path);
      if (target.kind === 'multipart') {
        report = { kind: 'aof-set', set: checkAofSet(new Uint8Array(fs.readFileSync(target.manifestPath)), openInDir(target.dir, opened)) };
      } else {
        const src = new FileSource(req.path);
        opened.push(src);
        report = checkSource(src, req.path, target.kind === 'aof', onProgress);
      }
    } else {
      const src = new MemorySource(req.bytes);
      const format = detectFormat(req.bytes.subarray(0, 64));
      report = checkSource(src, req.name, req.name.endsWith('.aof') || (format !== 'rdb' && !req.name.endsWith('.rdb')), onProgress);
    }
    post({ type: 'result', replyTo: req.id, report });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    post({ type: 'error', replyTo: req.id, error: { code: err.code ?? 'internal', message: err.message ?? String(e) } });
  } finally {
    for (const s of opened) s.close();
  }
}

/** The text rendering of a `render` request's files (files it opens go to `opened`). */
function render(files: RenderFile[], manifest: boolean, aux: boolean, opened: FileSource[]): string {
  const sources = new Map<string, ByteSource | { error: string }>();
  for (const f of files) {
    if ('error' in f) sources.set(f.name, { error: f.error });
    else if ('bytes' in f) sources.set(f.name, new MemorySource(f.bytes));
    else {
      const src = new FileSource(f.path);
      opened.push(src);
      sources.set(f.name, src);
    }
  }
  const main = sources.get(files[0]!.name)!;
  if ('error' in main) throw new Error(main.error);
  const parts: string[] = [];
  const emit = (t: string): void => void parts.push(t);
  if (manifest) renderAofSet(main.read(0, main.size), (name) => sources.get(name) ?? { error: 'No such file or directory' }, emit, { aux });
  else renderPersistence(main, emit, { aux, name: files[0]!.name });
  return parts.join('');
}

/** Every repair the core plans for the target (one read of its files), without two that do the same. */
export function planRepairs(
  target: Target,
  o: RepairPlanOptions,
  onProgress: (offset: number, size: number) => void = () => {},
): { choices: RepairChoice[]; refusals: string[] } {
  const run = readAof(target, () => ({ progress: onProgress }));
  const specs: { kind: RepairKind; dropLaterFiles: boolean; withFollowing: boolean }[] = [];
  if (o.kind) {
    // Exactly what was asked for: no later file dropped, no following command removed unless asked.
    specs.push({ kind: o.kind, dropLaterFiles: o.dropLaterFiles ?? false, withFollowing: o.withFollowing ?? false });
  } else {
    for (const kind of ['fix', 'strip-unclosed-multi', 'remove-flush', 'drop-last-command'] as const) {
      for (const dropLaterFiles of target.kind === 'multipart' ? [false, true] : [false]) {
        for (const withFollowing of kind === 'remove-flush' ? [false, true] : [false]) specs.push({ kind, dropLaterFiles, withFollowing });
      }
    }
  }
  const choices: RepairChoice[] = [];
  const refusals: string[] = [];
  for (const s of specs) {
    const make = (file: string, r: AofResult, last: boolean): RepairOutcome =>
      planRepair({ kind: s.kind, withFollowing: s.withFollowing, ...(o.timestamp !== undefined ? { timestamp: o.timestamp } : {}) }, file, r, last);
    const outcome = run.single
      ? make(path.basename((target as { path: string }).path), run.single, true)
      : planForSet(run.set!, make, { kind: s.kind, dropLaterFiles: s.dropLaterFiles });
    if (!('removals' in outcome)) {
      refusals.push('refused' in outcome ? outcome.refused : outcome.nothing);
      continue;
    }
    const key = JSON.stringify([outcome.file, outcome.removals, outcome.dropFiles]);
    if (choices.some((c) => JSON.stringify([c.plan.file, c.plan.removals, c.plan.dropFiles]) === key)) continue;
    choices.push({ plan: outcome, ...s });
  }
  if (o.describe) {
    for (const c of choices) {
      try {
        c.removed = removedCommands(path.join(targetDir(target), c.plan.file), c.plan);
      } catch {
        // The preview goes without the count.
      }
    }
  }
  return { choices, refusals };
}

/** How many complete commands the plan removes, and whether it removes a damaged record. */
function removedCommands(file: string, plan: RepairPlan): { commands: number; damaged: boolean } {
  const src = new FileSource(file);
  try {
    let commands = 0;
    const r = parseAof(
      src,
      {
        command(c) {
          if (!c.afterDamage && plan.removals.some((x) => c.start >= x.start && c.end <= x.end)) commands++;
        },
      },
      { continueAfterError: false },
    );
    return { commands, damaged: !r.ok && plan.removals.some((x) => r.validUpTo >= x.start && r.validUpTo < x.end) };
  } finally {
    src.close();
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (req: WorkerRequest) => handle(req, (m) => port.postMessage(m)));
  port.postMessage({ type: 'ready', version: WORKER_PROTOCOL_VERSION } satisfies WorkerMessage);
}
