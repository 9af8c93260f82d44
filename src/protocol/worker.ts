/**
 * Messages between the extension host and the check worker (STYLE.md §2):
 * discriminated by `type`, every request has an `id` and settles with exactly
 * one `result` or `error` carrying `replyTo`; progress is batched.
 */

import type { CheckReport } from '../core/check.js';

/** Protocol version, bumped on any incompatible change. */
export const WORKER_PROTOCOL_VERSION = 2;

/** Host → worker. */
export type WorkerRequest =
  /** Check a file the worker can open itself (a local path): RDB, AOF or multi-part manifest. */
  | { type: 'check'; id: number; path: string }
  /** Check bytes the host read (any other URI scheme): an RDB or a single AOF, told apart by content. */
  | { type: 'check'; id: number; bytes: Uint8Array; name: string };

/** Worker → host. */
export type WorkerMessage =
  | { type: 'ready'; version: number }
  | { type: 'progress'; replyTo: number; offset: number; size: number }
  | { type: 'result'; replyTo: number; report: CheckReport }
  | { type: 'error'; replyTo: number; error: { code: string; message: string } };
