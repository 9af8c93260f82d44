/**
 * Token colours of the active colour theme, for the custom editor's webview.
 *
 * A webview gets the workbench colours as `--vscode-*` CSS variables, but not
 * the token (syntax) colours: those live in the theme file. So the extension
 * host reads the active theme (following `include`s, JSONC, `.tmTheme` plists),
 * resolves the few scopes of the AOF grammar the way vscode-textmate does, and
 * hands the webview a CSS rule body of `--rpi-token-<role>` variables.
 *
 * Two parts in one file:
 *  - a pure part (theme loading, JSONC, plist, scope matching, CSS), no
 *    `vscode` at run time, unit-tested under plain Node;
 *  - a VS Code part (`activeTokenColors`, `onDidChangeTokenColors`) that loads
 *    `vscode` lazily (`vscodeApi()`), so importing this module outside the
 *    extension host does not fail.
 *
 * Theme files are untrusted input that ends up in a `<style>` element: only
 * colours matching `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa` are ever emitted
 * (the colours vscode-textmate itself accepts); anything else is ignored as if
 * the rule had no foreground.
 */

import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';

// ---------------------------------------------------------------------------
// Types and constants
// ---------------------------------------------------------------------------

/** The token kinds the webview colours. */
export type TokenRole = 'command' | 'keyword' | 'number' | 'string' | 'comment' | 'invalid';

export const TOKEN_ROLES: readonly TokenRole[] = ['command', 'keyword', 'number', 'string', 'comment', 'invalid'];

/** One `tokenColors` entry of a theme. */
export interface TokenColorRule {
  name?: string;
  scope?: string | string[];
  settings?: { foreground?: unknown; background?: unknown; fontStyle?: unknown; [key: string]: unknown };
}

/** A colour theme file (JSON), or the result of `loadThemeJson` (includes followed). */
export interface ThemeJson {
  name?: string;
  type?: string;
  include?: string;
  colors?: Record<string, unknown>;
  /** An array of rules, or (in a file, not after `loadThemeJson`) a relative path to a `.tmTheme`. */
  tokenColors?: TokenColorRule[] | string;
  /** Old (tmTheme-style) format, also accepted by VS Code in JSON themes. */
  settings?: TokenColorRule[];
  semanticHighlighting?: boolean;
  semanticTokenColors?: unknown;
  [key: string]: unknown;
}

/**
 * The scope path of each role in the AOF grammar (syntaxes/redis-aof.tmLanguage.json),
 * outermost first, the token's own scope last, as vscode-textmate sees it. The
 * parents let selectors such as `source.redis-aof string` match as they do in
 * the editor. `number` uses the bulk-length scope (`$3`); numeric arguments
 * (`constant.numeric.integer.argument`) share the `constant.numeric` prefix
 * and resolve alike in every theme that does not single them out.
 */
export const AOF_TOKEN_SCOPES: Readonly<Record<TokenRole, string>> = {
  command: 'source.redis-aof meta.command.redis-aof keyword.other.command.redis-aof',
  keyword: 'source.redis-aof meta.command.redis-aof keyword.control.transaction.redis-aof',
  number:
    'source.redis-aof meta.command.redis-aof meta.argument.redis-aof meta.bulk-length.redis-aof constant.numeric.integer.bulk-length.redis-aof',
  string: 'source.redis-aof meta.command.redis-aof meta.argument.redis-aof string.unquoted.argument.redis-aof',
  comment: 'source.redis-aof comment.line.number-sign.annotation.timestamp.redis-aof',
  invalid: 'source.redis-aof meta.command.redis-aof invalid.illegal.unknown-command.redis-aof',
};

/** What a role falls back to when the theme has no colour for it: a workbench colour the webview has. */
export const TOKEN_FALLBACKS: Readonly<Record<TokenRole, string>> = {
  command: 'var(--vscode-debugTokenExpression-name)',
  keyword: 'var(--vscode-symbolIcon-keywordForeground)',
  number: 'var(--vscode-debugTokenExpression-number)',
  string: 'var(--vscode-debugTokenExpression-string)',
  comment: 'var(--vscode-descriptionForeground)',
  invalid: 'var(--vscode-errorForeground)',
};

/** Default theme (settings id) for each `ColorThemeKind` (1 light, 2 dark, 3 high contrast, 4 high contrast light), VS Code 1.99. */
export const DEFAULT_THEMES: Readonly<Record<number, string>> = {
  1: 'Default Light Modern',
  2: 'Default Dark Modern',
  3: 'Default High Contrast',
  4: 'Default High Contrast Light',
};

const MAX_INCLUDE_DEPTH = 16;

// ---------------------------------------------------------------------------
// Colours
// ---------------------------------------------------------------------------

/**
 * A colour safe to put in CSS: `#` and 3, 4, 6 or 8 hex digits (what
 * vscode-textmate's `isValidHexColor` accepts), lower-cased; otherwise undefined.
 */
export function safeColor(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!/^#[0-9a-fA-F]{3,8}$/.test(value)) return undefined;
  const digits = value.length - 1;
  if (digits === 5 || digits === 7) return undefined;
  return value.toLowerCase();
}

// ---------------------------------------------------------------------------
// Scope matching (vscode-textmate 9's theme trie)
// ---------------------------------------------------------------------------

/**
 * The selectors of a rule's `scope`, as vscode-textmate's parseTheme splits
 * them: a string is split on commas (stray leading/trailing commas dropped), an
 * array is taken element by element (not split again); each is trimmed.
 */
export function ruleSelectors(scope: unknown): string[] {
  const parts =
    typeof scope === 'string'
      ? scope.replace(/^,+/, '').replace(/,+$/, '').split(',')
      : Array.isArray(scope)
        ? scope.filter((s): s is string => typeof s === 'string')
        : [];
  return parts.map((s) => s.trim()).filter((s) => s !== '');
}

/** `keyword` matches `keyword` and `keyword.other.command.redis-aof`, not `keywords`. */
export function scopeMatches(scope: string, selector: string): boolean {
  return scope === selector || (scope.startsWith(selector) && scope.charCodeAt(selector.length) === 46 /* . */);
}

/**
 * Whether the ancestors (innermost first) satisfy the parent selectors
 * (innermost first): each must match some ancestor, in order, and after a `>`
 * the next one must be the direct parent. vscode-textmate's
 * `_scopePathMatchesParentScopes`.
 */
function parentsMatch(ancestors: readonly string[], parents: readonly string[]): boolean {
  let at = 0;
  for (let i = 0; i < parents.length; i++) {
    let pattern = parents[i]!;
    let mustMatch = false;
    if (pattern === '>') {
      if (i === parents.length - 1) return false;
      pattern = parents[++i]!;
      mustMatch = true;
    }
    while (at < ancestors.length && !scopeMatches(ancestors[at]!, pattern)) {
      if (mustMatch) return false;
      at++;
    }
    if (at >= ancestors.length) return false;
    at++;
  }
  return true;
}

function strcmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function strArrCmp(a: readonly string[] | null, b: readonly string[] | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const r = strcmp(a[i]!, b[i]!);
    if (r !== 0) return r;
  }
  return 0;
}

/** A rule as the trie holds it: the depth it was set at, its parents (innermost first), its foreground. */
interface TrieRule {
  depth: number;
  parents: readonly string[];
  fg: string | undefined;
}

/** vscode-textmate's `_cmpBySpecificity`: deeper first; then longer parents, pairwise from the innermost; then more parents. */
function bySpecificity(a: TrieRule, b: TrieRule): number {
  if (a.depth !== b.depth) return b.depth - a.depth;
  let i = 0;
  let j = 0;
  for (;;) {
    if (a.parents[i] === '>') i++;
    if (b.parents[j] === '>') j++;
    if (i >= a.parents.length || j >= b.parents.length) break;
    const diff = b.parents[j]!.length - a.parents[i]!.length;
    if (diff !== 0) return diff;
    i++;
    j++;
  }
  return b.parents.length - a.parents.length;
}

/** One node of the trie of scope segments (vscode-textmate's ThemeTrieElement, foreground only). */
class TrieNode {
  private readonly children = new Map<string, TrieNode>();

  constructor(
    private readonly main: TrieRule,
    private readonly withParents: TrieRule[] = [],
  ) {}

  insert(depth: number, scope: string, parents: string[] | null, fg: string | undefined): void {
    if (scope === '') {
      this.insertHere(depth, parents, fg);
      return;
    }
    const dot = scope.indexOf('.');
    const head = dot < 0 ? scope : scope.slice(0, dot);
    const tail = dot < 0 ? '' : scope.slice(dot + 1);
    let child = this.children.get(head);
    if (child === undefined) {
      child = new TrieNode({ ...this.main }, this.withParents.map((r) => ({ ...r })));
      this.children.set(head, child);
    }
    child.insert(depth + 1, tail, parents, fg);
  }

  private insertHere(depth: number, parents: string[] | null, fg: string | undefined): void {
    if (parents === null) {
      this.main.depth = depth;
      if (fg !== undefined) this.main.fg = fg;
      return;
    }
    for (const r of this.withParents) {
      if (strArrCmp(r.parents, parents) === 0) {
        r.depth = depth;
        if (fg !== undefined) r.fg = fg;
        return;
      }
    }
    // A new rule with parents inherits what it does not set from the main rule.
    this.withParents.push({ depth, parents, fg: fg ?? this.main.fg });
  }

  /** The rules for a scope, most specific first. */
  match(scope: string): TrieRule[] {
    if (scope !== '') {
      const dot = scope.indexOf('.');
      const head = dot < 0 ? scope : scope.slice(0, dot);
      const child = this.children.get(head);
      if (child !== undefined) return child.match(dot < 0 ? '' : scope.slice(dot + 1));
    }
    return [...this.withParents, this.main].sort(bySpecificity);
  }
}

/** The theme's rules in a trie, as vscode-textmate's resolveParsedThemeRules builds it. */
function buildTrie(rules: readonly TokenColorRule[]): TrieNode {
  const parsed: { scope: string; parents: string[] | null; index: number; fg: string | undefined }[] = [];
  rules.forEach((rule, index) => {
    if (rule === null || typeof rule !== 'object' || !rule.settings || typeof rule.settings !== 'object') return;
    // An invalid colour counts as none: that is also what keeps hostile values out.
    const fg = safeColor(rule.settings.foreground);
    for (const selector of ruleSelectors(rule.scope)) {
      const segments = selector.split(' ');
      const scope = segments[segments.length - 1]!;
      // The theme default (empty scope) is editor.foreground in VS Code: not a token colour.
      if (scope === '') continue;
      const parents = segments.length > 1 ? segments.slice(0, -1).reverse() : null;
      parsed.push({ scope, parents, index, fg });
    }
  });
  parsed.sort((a, b) => strcmp(a.scope, b.scope) || strArrCmp(a.parents, b.parents) || a.index - b.index);
  const root = new TrieNode({ depth: 0, parents: [], fg: undefined });
  for (const p of parsed) root.insert(0, p.scope, p.parents, p.fg);
  return root;
}

/**
 * The colour a token gets from the theme, given its scope path
 * (space-separated, outermost first, the token's own scope last), as
 * vscode-textmate 9 computes it:
 *  - the rules whose selector's last segment is the longest dot-boundary prefix
 *    of the scope apply (`keyword.control` over `keyword`); later rules with the
 *    same selector override earlier ones, but only in what they set (a
 *    fontStyle-only rule keeps the foreground of the shorter selector);
 *  - among them a selector with parent scopes that match the ancestors is more
 *    specific (longer parents, pairwise from the innermost, then more parents);
 *  - a scope whose best rule sets no foreground takes its enclosing scope's
 *    colour (so a theme colouring only `meta.argument` colours the arguments).
 * Undefined when nothing applies (the editor then uses editor.foreground).
 */
export function resolveScopeColor(rules: readonly TokenColorRule[], scopePath: string): string | undefined {
  return colorInTrie(buildTrie(rules), scopePath);
}

function colorInTrie(trie: TrieNode, scopePath: string): string | undefined {
  const stack = scopePath.split(/\s+/).filter((s) => s !== '');
  let color: string | undefined;
  for (let i = 0; i < stack.length; i++) {
    const ancestors = stack.slice(0, i).reverse();
    const rule = trie.match(stack[i]!).find((r) => parentsMatch(ancestors, r.parents));
    if (rule?.fg !== undefined) color = rule.fg;
  }
  return color;
}

/** The theme's token rules: `tokenColors` (array), else the old `settings` array. */
export function themeRules(theme: ThemeJson): TokenColorRule[] {
  if (Array.isArray(theme.tokenColors)) return theme.tokenColors;
  if (Array.isArray(theme.settings)) return theme.settings;
  return [];
}

/**
 * The colour of each role in a theme (after `loadThemeJson`), as the editor
 * shows it (see `resolveScopeColor`); roles the theme does not colour are
 * absent. `scopes` maps each role to its scope path, outermost first
 * (`AOF_TOKEN_SCOPES`). A bare scope works too; then selectors with parent
 * scopes (`source.python string`) never match it, which is the conservative
 * reading: without the ancestors there is no telling whether they apply.
 * `semanticTokenColors` is ignored: the AOF language has no semantic tokens,
 * so the editor uses the TextMate rules only.
 */
export function resolveTokenColors(
  theme: ThemeJson,
  scopes: Record<TokenRole, string>,
): Partial<Record<TokenRole, string>> {
  const trie = buildTrie(themeRules(theme));
  const out: Partial<Record<TokenRole, string>> = {};
  for (const role of TOKEN_ROLES) {
    const scope = scopes[role];
    if (typeof scope !== 'string') continue;
    const color = colorInTrie(trie, scope);
    if (color !== undefined) out[role] = color;
  }
  return out;
}

/**
 * The CSS rule body for the webview: `--rpi-token-command:#569cd6;…`, one
 * declaration per role, the theme's colour when it is a safe hex colour, else
 * the role's fallback (`TOKEN_FALLBACKS`).
 */
export function tokenColorsCss(colors: Partial<Record<TokenRole, string>>): string {
  let css = '';
  for (const role of TOKEN_ROLES) {
    css += `--rpi-token-${role}:${safeColor(colors[role]) ?? TOKEN_FALLBACKS[role]};`;
  }
  return css;
}

// ---------------------------------------------------------------------------
// editor.tokenColorCustomizations
// ---------------------------------------------------------------------------

/** VS Code's `tokenGroupToScopesMap` (colorThemeData.ts), for the shorthand customizations. */
const TOKEN_GROUP_SCOPES: Readonly<Record<string, readonly string[]>> = {
  comments: ['comment', 'punctuation.definition.comment'],
  strings: ['string', 'meta.embedded.assembly'],
  // `keyword - keyword.operator` is no exclusion for vscode-textmate: it parses
  // as the scope `keyword.operator` under the parents `keyword` and `-`, which
  // never match. Kept verbatim so this matches what the editor shows.
  keywords: ['keyword - keyword.operator', 'keyword.control', 'storage', 'storage.type'],
  numbers: ['constant.numeric'],
  types: ['entity.name.type', 'entity.name.class', 'support.type', 'support.class'],
  functions: ['entity.name.function', 'support.function'],
  variables: ['variable', 'entity.name.variable'],
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function customizationRules(custom: Record<string, unknown>): TokenColorRule[] {
  const out: TokenColorRule[] = [];
  for (const [group, scopes] of Object.entries(TOKEN_GROUP_SCOPES)) {
    const value = custom[group];
    if (!value) continue;
    const settings = typeof value === 'string' ? { foreground: value } : isRecord(value) ? value : undefined;
    if (settings === undefined) continue;
    for (const scope of scopes) out.push({ scope, settings });
  }
  if (Array.isArray(custom.textMateRules)) {
    for (const rule of custom.textMateRules as unknown[]) {
      if (isRecord(rule) && rule.scope && isRecord(rule.settings)) out.push(rule as TokenColorRule);
    }
  }
  return out;
}

/** Whether a `[Theme A][Theme *]` key of the customizations applies to the theme with this settings id. */
function themeKeyMatches(key: string, settingsId: string): boolean {
  const names = [...key.matchAll(/\[(.+?)\]/g)].map((m) => m[1]!);
  return names.some((name) => {
    const re = new RegExp('^' + name.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
    return re.test(settingsId);
  });
}

/**
 * The theme with the user's `editor.tokenColorCustomizations` appended to its
 * rules (later rules win ties): first the general customizations, then those
 * under `[<theme settings id>]` keys (wildcards `*` allowed), each as shorthand
 * groups (`comments`, `strings`, `keywords`, `numbers`, …) then `textMateRules`,
 * as VS Code's ColorThemeData.setCustomTokenColors does.
 */
export function applyTokenColorCustomizations(theme: ThemeJson, customizations: unknown, settingsId: string): ThemeJson {
  if (!isRecord(customizations)) return theme;
  const extra = customizationRules(customizations);
  for (const [key, value] of Object.entries(customizations)) {
    if (key.startsWith('[') && isRecord(value) && themeKeyMatches(key, settingsId)) extra.push(...customizationRules(value));
  }
  if (extra.length === 0) return theme;
  return { ...theme, tokenColors: [...themeRules(theme), ...extra] };
}

// ---------------------------------------------------------------------------
// JSONC and plist
// ---------------------------------------------------------------------------

/**
 * JSON with comments and trailing commas (what VS Code accepts in theme files)
 * turned into JSON: comments become spaces, a comma before `}` or `]` is
 * dropped; strings are left alone. A leading BOM is removed.
 */
export function stripJsonc(text: string): string {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // Pass 1: comments out.
  let noComments = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"') {
      const start = i++;
      while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      noComments += src.slice(start, ++i);
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
      noComments += ' ';
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end < 0 ? src.length : end + 2;
      noComments += ' ';
    } else {
      noComments += c;
      i++;
    }
  }
  // Pass 2: trailing commas out.
  let out = '';
  i = 0;
  while (i < noComments.length) {
    const c = noComments[i]!;
    if (c === '"') {
      const start = i++;
      while (i < noComments.length && noComments[i] !== '"') i += noComments[i] === '\\' ? 2 : 1;
      out += noComments.slice(start, ++i);
      continue;
    }
    if (c === ',') {
      let j = i + 1;
      while (j < noComments.length && /\s/.test(noComments[j]!)) j++;
      if (noComments[j] === '}' || noComments[j] === ']') {
        i++;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

/** `JSON.parse` of JSONC (see `stripJsonc`). Throws on anything else that is not JSON. */
export function parseJsonc(text: string): unknown {
  return JSON.parse(stripJsonc(text));
}

function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e]!;
  });
}

/**
 * A minimal XML property-list reader, enough for `.tmTheme` files: `dict`,
 * `array`, `key`, `string`, `integer`, `real`, `true`, `false`, `date`, `data`
 * (kept as text). Throws on malformed input.
 */
export function parsePlist(text: string): unknown {
  const tokens: { tag: string; close: boolean; empty: boolean; text: string }[] = [];
  const re = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z]+)[^>]*?(\/?)>|([^<]+)/g;
  for (const m of text.matchAll(re)) {
    if (m[2] !== undefined) tokens.push({ tag: m[2], close: m[1] === '/', empty: m[3] === '/', text: '' });
    else if (m[4] !== undefined) tokens.push({ tag: '#text', close: false, empty: false, text: m[4] });
  }
  let pos = 0;
  const next = () => {
    while (pos < tokens.length && tokens[pos]!.tag === '#text' && tokens[pos]!.text.trim() === '') pos++;
    return tokens[pos++];
  };
  const textUntil = (tag: string): string => {
    let s = '';
    while (pos < tokens.length && tokens[pos]!.tag === '#text') s += tokens[pos++]!.text;
    const end = tokens[pos++];
    if (!end || end.tag !== tag || !end.close) throw new Error(`plist: </${tag}> expected`);
    return decodeXml(s);
  };
  const value = (t: (typeof tokens)[number] | undefined): unknown => {
    if (!t || t.close || t.tag === '#text') throw new Error('plist: value expected');
    switch (t.tag) {
      case 'plist':
        return value(next());
      case 'dict': {
        const obj: Record<string, unknown> = {};
        if (t.empty) return obj;
        for (;;) {
          const k = next();
          if (k && k.tag === 'dict' && k.close) return obj;
          if (!k || k.tag !== 'key' || k.close) throw new Error('plist: <key> expected');
          const name = k.empty ? '' : textUntil('key');
          obj[name] = value(next());
        }
      }
      case 'array': {
        const arr: unknown[] = [];
        if (t.empty) return arr;
        for (;;) {
          const v = next();
          if (v && v.tag === 'array' && v.close) return arr;
          arr.push(value(v));
        }
      }
      case 'string':
      case 'date':
      case 'data':
        return t.empty ? '' : textUntil(t.tag);
      case 'integer':
      case 'real':
        return t.empty ? 0 : Number(textUntil(t.tag).trim());
      case 'true':
      case 'false':
        if (!t.empty) textUntil(t.tag);
        return t.tag === 'true';
      default:
        throw new Error(`plist: unexpected <${t.tag}>`);
    }
  };
  return value(next());
}

function parseThemeText(file: string, text: string): ThemeJson {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (/\.tmTheme$/i.test(file) || trimmed.startsWith('<')) {
    const plist = parsePlist(trimmed);
    if (!isRecord(plist) || !Array.isArray(plist.settings)) throw new Error(`${file}: no settings array in the plist`);
    return { name: typeof plist.name === 'string' ? plist.name : undefined, tokenColors: plist.settings as TokenColorRule[] };
  }
  const json = parseJsonc(text);
  if (!isRecord(json)) throw new Error(`${file}: not a JSON object`);
  return json as ThemeJson;
}

// ---------------------------------------------------------------------------
// Theme loading
// ---------------------------------------------------------------------------

/** `rel` relative to the folder of `file`; both `/`-separated (URI paths, or file paths on any OS). */
function resolveRelative(file: string, rel: string): string {
  return path.posix.join(path.posix.dirname(file.replace(/\\/g, '/')), rel.replace(/\\/g, '/'));
}

/**
 * Reads a theme file and the themes it `include`s (paths relative to the file
 * including them), as VS Code's ColorThemeData does: the parent first, then the
 * child's `colors` over the parent's and the child's `tokenColors` after the
 * parent's (so they win ties); `tokenColors` given as a path to a `.tmTheme`
 * is read and its `settings` used; a `.tmTheme` file itself works too; an old
 * JSON theme with a `settings` array has it taken as `tokenColors`. Files may be
 * JSONC. The result has `tokenColors` as an array and no `include`.
 *
 * `file` is a `/`-separated path (a URI's path, or a file path) that
 * `readFile` understands. Throws when the file (or an include) cannot be read or
 * parsed, on an include cycle and on more than 16 levels of includes.
 */
export async function loadThemeJson(file: string, readFile: (file: string) => Promise<string>): Promise<ThemeJson> {
  return load(file, readFile, []);
}

async function load(file: string, readFile: (file: string) => Promise<string>, chain: string[]): Promise<ThemeJson> {
  const key = file.replace(/\\/g, '/');
  if (chain.includes(key)) throw new Error(`theme include cycle: ${[...chain, key].join(' -> ')}`);
  if (chain.length >= MAX_INCLUDE_DEPTH) throw new Error(`theme includes nested deeper than ${MAX_INCLUDE_DEPTH}`);
  const own = parseThemeText(file, await readFile(file));
  const parent: ThemeJson =
    typeof own.include === 'string' && own.include !== ''
      ? await load(resolveRelative(file, own.include), readFile, [...chain, key])
      : {};

  let ownRules: TokenColorRule[];
  if (Array.isArray(own.tokenColors)) ownRules = own.tokenColors;
  else if (typeof own.tokenColors === 'string') {
    const tm = resolveRelative(file, own.tokenColors);
    ownRules = themeRules(parseThemeText(tm, await readFile(tm)));
  } else if (Array.isArray(own.settings)) ownRules = own.settings;
  else ownRules = [];

  const merged: ThemeJson = { ...parent, ...own };
  delete merged.include;
  delete merged.settings;
  merged.colors = { ...(isRecord(parent.colors) ? parent.colors : {}), ...(isRecord(own.colors) ? own.colors : {}) };
  merged.tokenColors = [...themeRules(parent), ...ownRules];
  if (own.semanticHighlighting === undefined && parent.semanticHighlighting !== undefined) {
    merged.semanticHighlighting = parent.semanticHighlighting;
  }
  return merged;
}

// ---------------------------------------------------------------------------
// Finding the theme's contribution
// ---------------------------------------------------------------------------

/** A `contributes.themes[]` entry of an extension's package.json. */
export interface ThemeContribution {
  id?: string;
  label?: string;
  uiTheme?: string;
  path?: string;
}

/** Theme-related settings (`workbench.*`, `window.*`) as read from the configuration. */
export interface ThemeSettings {
  colorTheme?: unknown;
  preferredDarkColorTheme?: unknown;
  preferredLightColorTheme?: unknown;
  preferredHighContrastColorTheme?: unknown;
  preferredHighContrastLightColorTheme?: unknown;
  autoDetectColorScheme?: unknown;
}

/** The `uiTheme` a `ColorThemeKind` goes with. */
export function uiThemeOfKind(kind: number): string {
  return kind === 1 ? 'vs' : kind === 3 ? 'hc-black' : kind === 4 ? 'hc-light' : 'vs-dark';
}

/**
 * Settings ids of the theme that may be active, most likely first, for a
 * `ColorThemeKind`: `workbench.colorTheme` (after the preferred theme of the
 * kind when `window.autoDetectColorScheme` is on), the preferred theme of the
 * kind, then VS Code's default. The caller takes the first that names an
 * installed theme whose `uiTheme` fits the kind.
 */
export function themeCandidates(settings: ThemeSettings, kind: number): string[] {
  const preferred =
    kind === 1
      ? settings.preferredLightColorTheme
      : kind === 3
        ? settings.preferredHighContrastColorTheme
        : kind === 4
          ? settings.preferredHighContrastLightColorTheme
          : settings.preferredDarkColorTheme;
  const list: unknown[] =
    settings.autoDetectColorScheme === true && (kind === 1 || kind === 2)
      ? [preferred, settings.colorTheme]
      : [settings.colorTheme, preferred];
  list.push(DEFAULT_THEMES[kind] ?? DEFAULT_THEMES[2]);
  const out: string[] = [];
  for (const v of list) if (typeof v === 'string' && v !== '' && !out.includes(v)) out.push(v);
  return out;
}

/**
 * Whether a theme contribution is the one a settings id names: VS Code's
 * settings id is the contribution's `id`, else its `label`; a `%key%` label is
 * looked up in the extension's package.nls.json (`nls`). Labels are compared
 * too when there is an `id`, for settings written by other VS Code versions.
 */
export function themeMatchesSetting(theme: ThemeContribution, settingsId: string, nls?: Record<string, unknown>): boolean {
  if (theme.id === settingsId || theme.label === settingsId) return true;
  const m = typeof theme.label === 'string' ? /^%(.+)%$/.exec(theme.label) : null;
  if (m && nls) {
    const v = nls[m[1]!];
    const localized = typeof v === 'string' ? v : isRecord(v) && typeof v.message === 'string' ? v.message : undefined;
    return localized === settingsId;
  }
  return false;
}

// ---------------------------------------------------------------------------
// VS Code part
// ---------------------------------------------------------------------------

type VscodeApi = typeof vscodeTypes;

/** `vscode`, loaded when first needed so the pure part above runs outside the extension host. */
function vscodeApi(): VscodeApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('vscode') as VscodeApi;
}

interface FoundTheme {
  uri: vscodeTypes.Uri;
  settingsId: string;
}

async function readText(api: VscodeApi, uri: vscodeTypes.Uri): Promise<string> {
  return new TextDecoder('utf-8').decode(await api.workspace.fs.readFile(uri));
}

function contributedThemes(ext: vscodeTypes.Extension<unknown>): ThemeContribution[] {
  const pkg: unknown = ext.packageJSON;
  const themes = isRecord(pkg) && isRecord(pkg.contributes) ? pkg.contributes.themes : undefined;
  return Array.isArray(themes) ? themes.filter((t): t is ThemeContribution => isRecord(t) && typeof t.path === 'string') : [];
}

async function findActiveTheme(api: VscodeApi): Promise<FoundTheme | undefined> {
  const workbench = api.workspace.getConfiguration('workbench');
  const window = api.workspace.getConfiguration('window');
  const kind = api.window.activeColorTheme.kind as number;
  const settings: ThemeSettings = {
    colorTheme: workbench.get('colorTheme'),
    preferredDarkColorTheme: workbench.get('preferredDarkColorTheme'),
    preferredLightColorTheme: workbench.get('preferredLightColorTheme'),
    preferredHighContrastColorTheme: workbench.get('preferredHighContrastColorTheme'),
    preferredHighContrastLightColorTheme: workbench.get('preferredHighContrastLightColorTheme'),
    autoDetectColorScheme: window.get('autoDetectColorScheme'),
  };
  const wanted = uiThemeOfKind(kind);
  const nlsCache = new Map<string, Record<string, unknown> | undefined>();
  const nlsOf = async (ext: vscodeTypes.Extension<unknown>) => {
    if (!nlsCache.has(ext.id)) {
      let nls: Record<string, unknown> | undefined;
      try {
        const parsed = parseJsonc(await readText(api, api.Uri.joinPath(ext.extensionUri, 'package.nls.json')));
        nls = isRecord(parsed) ? parsed : undefined;
      } catch {
        nls = undefined;
      }
      nlsCache.set(ext.id, nls);
    }
    return nlsCache.get(ext.id);
  };

  // The first candidate naming an installed theme whose uiTheme fits the
  // kind wins; a theme that does not fit (say `workbench.colorTheme` while the
  // OS forces high contrast) only when none does.
  let misfit: FoundTheme | undefined;
  for (const settingsId of themeCandidates(settings, kind)) {
    // First pass without package.nls.json (cheap), then with it for `%key%` labels.
    for (const withNls of [false, true]) {
      for (const ext of api.extensions.all) {
        for (const theme of contributedThemes(ext)) {
          if (withNls && !/^%.+%$/.test(theme.label ?? '')) continue;
          const nls = withNls ? await nlsOf(ext) : undefined;
          if (!themeMatchesSetting(theme, settingsId, nls)) continue;
          const found = { uri: api.Uri.joinPath(ext.extensionUri, theme.path!), settingsId };
          if (theme.uiTheme === undefined || theme.uiTheme === wanted) return found;
          misfit ??= found;
        }
      }
    }
  }
  return misfit;
}

/**
 * The CSS rule body of the token colours of the active colour theme, e.g.
 * `--rpi-token-command:#569cd6;--rpi-token-keyword:#c586c0;…`: every role has
 * a value, the theme's (with the user's `editor.tokenColorCustomizations`) when
 * it has a safe hex colour for it, else a workbench colour variable
 * (`TOKEN_FALLBACKS`). Never rejects: on any failure every role falls back.
 */
export async function activeTokenColors(): Promise<string> {
  let theme: ThemeJson = {};
  let settingsId = '';
  let api: VscodeApi;
  try {
    api = vscodeApi();
  } catch {
    return tokenColorsCss({});
  }
  try {
    const found = await findActiveTheme(api);
    if (found) {
      settingsId = found.settingsId;
      theme = await loadThemeJson(found.uri.path, (p) => readText(api, found.uri.with({ path: p })));
    }
  } catch {
    theme = {};
  }
  try {
    const custom: unknown = api.workspace.getConfiguration('editor').get('tokenColorCustomizations');
    theme = applyTokenColorCustomizations(theme, custom, settingsId);
  } catch {
    // keep the theme's own colours
  }
  return tokenColorsCss(resolveTokenColors(theme, AOF_TOKEN_SCOPES));
}

/**
 * Calls `listener` (debounced: once per 100 ms burst) when the token colours
 * may have changed: the colour theme changed (`window.onDidChangeActiveColorTheme`
 * fires on every switch, also between two themes of the same kind, and after
 * `activeColorTheme.kind` is updated, so `activeTokenColors()` then sees the
 * new kind; the earlier `workbench.colorTheme` configuration event is not
 * used), `editor.tokenColorCustomizations` changed, or extensions were
 * installed, removed or updated. The listener calls `activeTokenColors()` again.
 */
export function onDidChangeTokenColors(listener: () => unknown): vscodeTypes.Disposable {
  const api = vscodeApi();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      listener();
    }, 100);
  };
  return api.Disposable.from(
    api.window.onDidChangeActiveColorTheme(fire),
    api.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('editor.tokenColorCustomizations')) fire();
    }),
    api.extensions.onDidChange(fire),
    {
      dispose: () => {
        if (timer !== undefined) clearTimeout(timer);
      },
    },
  );
}
