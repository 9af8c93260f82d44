/**
 * What survives a tab switch (`vscode.setState`) or comes back in `init.restore`:
 * filter, view, display mode, expanded nodes, selection and scroll position.
 * Read defensively: it may come from an older version of the webview.
 */

import type { DataType } from '../core/rdb/constants.js';
import type { DisplayMode } from '../protocol/editor.js';
import { ALL_TYPES, EMPTY_UI, type FilterUi } from './filterBar.js';

export interface SavedState {
  v: 1;
  filter: FilterUi;
  view: 'tree' | 'summary';
  display: DisplayMode;
  expanded: string[];
  selected?: string;
  /** First visible row (fractional). */
  anchor: number;
  /** The details pane is shown. */
  details: boolean;
}

/** Most expanded ids kept (the newest win). */
export const MAX_EXPANDED = 2000;

const DISPLAY: DisplayMode[] = ['text', 'escaped', 'hex', 'json'];
const TTL = ['', 'none', 'has', 'expired-at-save', 'expired-now'];

/** The state if `raw` looks like one we saved, else undefined. */
export function readState(raw: unknown): SavedState | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  if (r.v !== 1) return undefined;
  const f = (r.filter && typeof r.filter === 'object' ? r.filter : {}) as Record<string, unknown>;
  const filter: FilterUi = {
    ...EMPTY_UI,
    pattern: typeof f.pattern === 'string' ? f.pattern : '',
    regex: f.regex === true,
    ignoreCase: f.ignoreCase === true,
    types: Array.isArray(f.types) ? (f.types.filter((t) => ALL_TYPES.includes(t as DataType)) as DataType[]) : [],
    db: typeof f.db === 'number' && Number.isInteger(f.db) ? f.db : null,
    ttl: typeof f.ttl === 'string' && TTL.includes(f.ttl) ? (f.ttl as FilterUi['ttl']) : '',
    minSize: typeof f.minSize === 'string' ? f.minSize : '',
  };
  return {
    v: 1,
    filter,
    view: r.view === 'summary' ? 'summary' : 'tree',
    display: DISPLAY.includes(r.display as DisplayMode) ? (r.display as DisplayMode) : 'text',
    expanded: Array.isArray(r.expanded) ? r.expanded.filter((x): x is string => typeof x === 'string').slice(-MAX_EXPANDED) : [],
    selected: typeof r.selected === 'string' ? r.selected : undefined,
    anchor: typeof r.anchor === 'number' && Number.isFinite(r.anchor) && r.anchor >= 0 ? r.anchor : 0,
    details: r.details !== false,
  };
}
