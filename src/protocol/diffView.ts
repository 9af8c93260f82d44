/**
 * Messages of the key-level diff view (src/extension/diffView/panel.ts ⇄
 * src/webview/diff/main.ts). The diff itself travels in the JSON form of
 * `redis-inspect diff --json` (src/core/diff/format.ts `writeDiffJson`,
 * documented in the README), cut to the first changes when there are very many.
 */

/** Bytes in the diff JSON: UTF-8 text, or base64 when not UTF-8. */
export type JsonBytes = string | { base64: string };

export interface DiffTypeCounts {
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
}

export interface DiffChangeJson {
  db: number;
  key: JsonBytes;
  change: 'added' | 'removed' | 'changed';
  typeBefore: string | null;
  typeAfter: string | null;
  ttlBefore: number | null;
  ttlAfter: number | null;
  /** Element-level details (`detailsJson`), null for added/removed keys or a TTL-only change. */
  details: Record<string, unknown> | null;
}

export interface DiffJson {
  a: string;
  b: string;
  equal: boolean;
  summary: DiffTypeCounts & { byType: Record<string, DiffTypeCounts> };
  functions: { added: string[]; removed: string[]; changed: string[] } | null;
  changes: DiffChangeJson[];
}

/** What the view shows when the inputs cannot be compared. */
export interface DiffFailure {
  message: string;
}

/** Host → webview. */
export type DiffHostMessage =
  | { type: 'progress'; message: string }
  | { type: 'diff'; diff: DiffJson; shown: number; total: number }
  | { type: 'failed'; failure: DiffFailure }
  | { type: 'test'; action: DiffTestAction };

/** Webview → host. */
export type DiffViewMessage =
  | { type: 'ready' }
  | { type: 'refresh' }
  /** Opens one side in the inspector, filtered to the key. */
  | { type: 'reveal'; side: 'a' | 'b'; key: string }
  | { type: 'rendered'; state: DiffRenderedState };

export type DiffTestAction =
  | { kind: 'snapshot' }
  | { kind: 'filter'; text?: string; change?: 'added' | 'removed' | 'changed' | 'all'; type?: string }
  | { kind: 'expandAll' };

export interface DiffRenderedState {
  /** Text of the summary's cells and of every shown change row (with its expanded details). */
  summary: string[];
  rows: string[];
  shown: number;
  total: number;
}
