/**
 * Messages between the extension host and the check worker (STYLE.md §2):
 * discriminated by `type`, every request has an `id` and settles with exactly
 * one `result` or `error` carrying `replyTo`; progress is batched.
 */

import type { RepairKind, RepairPlan } from '../core/aof/repair.js';
import type { CheckReport } from '../core/check.js';
import type { Target } from '../cli/target.js';

/** Which repairs a `repair-plan` request plans (the repair command's arguments, src/extension/aof/repairCommands.ts). */
export interface RepairPlanOptions {
  /** Only this kind, exactly as asked (no later file dropped, no following command removed unless asked); default: every kind. */
  kind?: RepairKind;
  dropLaterFiles?: boolean;
  withFollowing?: boolean;
  /** truncate-to-timestamp: Unix seconds. */
  timestamp?: number;
  /** Also count what each plan removes (one more read of the file per plan; for the interactive preview). */
  describe?: boolean;
}

/** One repair the core plans, without two that do the same. */
export interface RepairChoice {
  plan: RepairPlan;
  kind: RepairKind;
  dropLaterFiles: boolean;
  withFollowing: boolean;
  /** With `describe`: the complete commands the plan removes, and whether it removes the damaged record. */
  removed?: { commands: number; damaged: boolean };
}

/** Protocol version, bumped on any incompatible change. */
export const WORKER_PROTOCOL_VERSION = 2;

/** Host → worker. */
export type WorkerRequest =
  /** Check a file the worker can open itself (a local path): RDB, AOF or multi-part manifest. */
  | { type: 'check'; id: number; path: string }
  /** Check bytes the host read (any other URI scheme): an RDB or a single AOF, told apart by content. */
  | { type: 'check'; id: number; bytes: Uint8Array; name: string }
  /** Plan the repairs of an AOF target (one read of its files; progress while reading). */
  | { type: 'repair-plan'; id: number; target: Target; options: RepairPlanOptions }
  /** Apply a plan as the CLI's `fix` does (src/cli/fix.ts applyRepairPlan): backup, atomic replace. */
  | { type: 'repair'; id: number; target: Target; plan: RepairPlan; backup: string }
  /** Undo a repair from its backup folder, as the CLI's `undo` does (src/cli/fix.ts restoreBackup). */
  | { type: 'restore'; id: number; backup: string; force?: boolean }
  /** The key-level diff of two local targets, as `redis-inspect diff --json` writes it (the first `maxChanges` changes with details). */
  | { type: 'diff'; id: number; a: string; b: string; maxChanges: number }
  /**
   * The readable text rendering (core/diff/render) of an RDB or AOF, or of a
   * manifest's set: `files[0]` is the file itself, then a manifest's BASE and
   * INCR files. Each is a local path the worker opens, bytes the host read
   * (another scheme, a git revision), or why it could not be read.
   */
  | { type: 'render'; id: number; files: RenderFile[]; manifest: boolean; aux: boolean };

/** A file of a `render` request. */
export type RenderFile = { name: string; path: string } | { name: string; bytes: Uint8Array } | { name: string; error: string };

/** Worker → host. */
export type WorkerMessage =
  | { type: 'ready'; version: number }
  | { type: 'progress'; replyTo: number; offset: number; size: number }
  | { type: 'result'; replyTo: number; report: CheckReport }
  /** Settles a `repair-plan`. */
  | { type: 'repair-plans'; replyTo: number; choices: RepairChoice[]; refusals: string[] }
  /** Settles a `repair`. */
  | { type: 'repaired'; replyTo: number; backup: string; resultFile: string }
  /** Settles a `restore` (a refusal is an `error` with restoreBackup's code: ECHANGED, EBACKUP, ENOENT, EIO). */
  | { type: 'restored'; replyTo: number; restored: string[]; message: string }
  /** Settles a `diff`: the JSON document, or why the inputs cannot be compared (damage, an inexact replay). */
  | { type: 'diffed'; replyTo: number; json: string; shown: number; total: number }
  | { type: 'diffed'; replyTo: number; failure: string }
  /** Settles a `render`. */
  | { type: 'rendered'; replyTo: number; text: string }
  | { type: 'error'; replyTo: number; error: { code: string; message: string } };
