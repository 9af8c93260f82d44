// Token colours for the custom editor's webview: VS Code's real built-in
// themes (test/fixtures/themes, copied from VS Code 1.99.3 as shipped in
// code-server 4.99.4) resolved for the AOF grammar's scopes, the include
// chain, JSONC, .tmTheme plists, vscode-textmate's specificity rules, the
// user's tokenColorCustomizations, and hostile colour values kept out of CSS.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import {
  AOF_TOKEN_SCOPES,
  TOKEN_FALLBACKS,
  TOKEN_ROLES,
  applyTokenColorCustomizations,
  loadThemeJson,
  parseJsonc,
  parsePlist,
  resolveScopeColor,
  resolveTokenColors,
  safeColor,
  stripJsonc,
  themeCandidates,
  themeMatchesSetting,
  tokenColorsCss,
  type ThemeContribution,
  type ThemeJson,
  type TokenColorRule,
  type TokenRole,
} from '../../src/extension/editor/tokenColors.js';

const THEMES = path.join(__dirname, '..', 'fixtures', 'themes');
const HARNESS_THEMES = path.join(
  __dirname, '..', '..', 'e2e', 'harness', 'node_modules', 'code-server', 'lib', 'vscode', 'extensions', 'theme-defaults',
);

const diskRead = (file: string) => readFile(file, 'utf8');
const loadFixture = (name: string) => loadThemeJson(path.join(THEMES, name), diskRead);
const colorsOf = async (name: string) => resolveTokenColors(await loadFixture(name), AOF_TOKEN_SCOPES);

/** A readFile over in-memory files (by `/`-separated path), falling back to the disk. */
function memoryRead(files: Record<string, string>): (file: string) => Promise<string> {
  return async (file) => {
    const f = file.replace(/\\/g, '/');
    if (f in files) return files[f]!;
    return diskRead(file);
  };
}

const rule = (scope: string | string[], foreground?: string): TokenColorRule => ({
  scope,
  settings: foreground === undefined ? { fontStyle: 'bold' } : { foreground },
});

describe('token colours: VS Code built-in themes', () => {
  it('Dark Modern (→ Dark+ → Dark VS)', async () => {
    assert.deepEqual(await colorsOf('dark_modern.json'), {
      command: '#569cd6', // keyword (dark_vs)
      keyword: '#c586c0', // keyword.control (dark_plus, after dark_vs's #569cd6)
      number: '#b5cea8', // constant.numeric
      string: '#ce9178', // string
      comment: '#6a9955', // comment
      invalid: '#f44747', // invalid
    });
  });

  it('Light Modern (→ Light+ → Light VS)', async () => {
    assert.deepEqual(await colorsOf('light_modern.json'), {
      command: '#0000ff',
      keyword: '#af00db',
      number: '#098658',
      string: '#a31515',
      comment: '#008000',
      invalid: '#cd3131',
    });
  });

  it('Dark High Contrast (no include; keyword.control twice, the later wins)', async () => {
    assert.deepEqual(await colorsOf('hc_black.json'), {
      command: '#569cd6',
      keyword: '#c586c0',
      number: '#b5cea8',
      string: '#ce9178',
      comment: '#7ca668',
      invalid: '#f44747',
    });
  });

  it('Dark (Visual Studio) alone: keyword.control is plain blue before Dark+ overrides it', async () => {
    const c = await colorsOf('dark_vs.json');
    assert.equal(c.keyword, '#569cd6');
    assert.equal(c.command, '#569cd6');
  });

  it('numeric arguments resolve like bulk lengths in the built-in themes', async () => {
    for (const name of ['dark_modern.json', 'light_modern.json', 'hc_black.json']) {
      const theme = await loadFixture(name);
      const rules = theme.tokenColors as TokenColorRule[];
      assert.equal(
        resolveScopeColor(rules, 'source.redis-aof meta.command.redis-aof meta.argument.redis-aof constant.numeric.integer.argument.redis-aof'),
        resolveTokenColors(theme, AOF_TOKEN_SCOPES).number,
        name,
      );
    }
  });

  it('gives the CSS body the webview uses', async () => {
    assert.equal(
      tokenColorsCss(await colorsOf('dark_modern.json')),
      '--rpi-token-command:#569cd6;--rpi-token-keyword:#c586c0;--rpi-token-number:#b5cea8;' +
        '--rpi-token-string:#ce9178;--rpi-token-comment:#6a9955;--rpi-token-invalid:#f44747;',
    );
  });

  it('fixtures are the files the e2e harness runs (skipped when the harness is not installed)', function () {
    if (!existsSync(path.join(HARNESS_THEMES, 'themes'))) this.skip();
    const pairs: [string, string][] = [
      ...['dark_modern', 'dark_plus', 'dark_vs', 'light_modern', 'light_plus', 'light_vs', 'hc_black'].map(
        (n): [string, string] => [`${n}.json`, path.join('themes', `${n}.json`)],
      ),
      ['theme-defaults.package.json', 'package.json'],
      ['theme-defaults.package.nls.json', 'package.nls.json'],
    ];
    for (const [fixture, upstream] of pairs) {
      assert.ok(
        readFileSync(path.join(THEMES, fixture)).equals(readFileSync(path.join(HARNESS_THEMES, upstream))),
        `${fixture} differs from the harness's ${upstream}`,
      );
    }
  });
});

describe('token colours: include chain', () => {
  it('merges parent first: child colours override, tokenColors are concatenated parent-first', async () => {
    const read = (n: string) => JSON.parse(readFileSync(path.join(THEMES, n), 'utf8')) as ThemeJson;
    const [modern, plus, vs] = [read('dark_modern.json'), read('dark_plus.json'), read('dark_vs.json')];
    const merged = await loadFixture('dark_modern.json');
    assert.equal(merged.name, modern.name);
    assert.equal(merged.include, undefined);
    assert.deepEqual(merged.tokenColors, [...(vs.tokenColors as TokenColorRule[]), ...(plus.tokenColors as TokenColorRule[])]);
    // editor.background: Dark VS #1E1E1E, overridden by Dark Modern.
    assert.equal((vs.colors as Record<string, string>)['editor.background'], '#1E1E1E');
    assert.equal(merged.colors!['editor.background'], '#1F1F1F');
    // A colour only the grandparent defines survives.
    const onlyVs = Object.keys(vs.colors!).find((k) => !(k in (plus.colors ?? {})) && !(k in modern.colors!))!;
    assert.equal(merged.colors![onlyVs], vs.colors![onlyVs]);
  });

  it('resolves include paths relative to the including file, through folders', async () => {
    const read = memoryRead({
      '/ext/themes/sub/child.json': '{ "include": "../base/parent.json", "tokenColors": [{ "scope": "string", "settings": { "foreground": "#111111" } }] }',
      '/ext/themes/base/parent.json': '{ "include": "./grand.json", "tokenColors": [{ "scope": "comment", "settings": { "foreground": "#222222" } }] }',
      '/ext/themes/base/grand.json':
        '{ "tokenColors": [{ "scope": "string", "settings": { "foreground": "#333333" } }, { "scope": "invalid", "settings": { "foreground": "#444444" } }] }',
    });
    const theme = await loadThemeJson('/ext/themes/sub/child.json', read);
    assert.deepEqual(resolveTokenColors(theme, AOF_TOKEN_SCOPES), { string: '#111111', comment: '#222222', invalid: '#444444' });
  });

  it('rejects include cycles and runaway nesting', async () => {
    const cyc = memoryRead({ '/t/a.json': '{"include":"./b.json"}', '/t/b.json': '{"include":"./a.json"}' });
    await assert.rejects(loadThemeJson('/t/a.json', cyc), /cycle/);
    const deep: Record<string, string> = {};
    for (let i = 0; i < 40; i++) deep[`/d/${i}.json`] = `{"include":"./${i + 1}.json"}`;
    await assert.rejects(loadThemeJson('/d/0.json', memoryRead(deep)), /deeper/);
  });

  it('fails on a missing include (the caller then falls back)', async () => {
    await assert.rejects(loadThemeJson('/x/a.json', memoryRead({ '/x/a.json': '{"include":"./nope.json"}' })));
  });
});

describe('token colours: JSONC', () => {
  it('strips line and block comments and trailing commas, not inside strings', () => {
    const text = [
      '\uFEFF// Copyright header',
      '/* block',
      '   comment */',
      '{',
      '  "name": "a // not a comment, /* nor this */ ,}",',
      '  "esc": "quote \\" // still a string",',
      '  "list": [1, 2, /* two */ 3,],',
      '  "obj": { "k": "v", // trailing',
      '  },',
      '}',
    ].join('\n');
    assert.deepEqual(parseJsonc(text), {
      name: 'a // not a comment, /* nor this */ ,}',
      esc: 'quote " // still a string',
      list: [1, 2, 3],
      obj: { k: 'v' },
    });
    assert.equal(stripJsonc('[1,\r\n]'), '[1\r\n]');
  });

  it('rejects what is not JSONC', () => {
    assert.throws(() => parseJsonc('{ "a": }'));
  });

  it('loads a JSONC child theme over the real Dark Modern chain', async () => {
    const child = path.join(THEMES, 'my-theme.jsonc.json').replace(/\\/g, '/');
    const read = memoryRead({
      [child]: `{
        // A theme that extends Dark Modern.
        "name": "My Theme",
        "include": "./dark_modern.json",
        "tokenColors": [
          /* only the commands change */
          { "scope": "keyword.other.command", "settings": { "foreground": "#DCDCAA", }, },
        ],
      }`,
    });
    const c = resolveTokenColors(await loadThemeJson(child, read), AOF_TOKEN_SCOPES);
    assert.equal(c.command, '#dcdcaa');
    assert.equal(c.keyword, '#c586c0');
    assert.equal(c.comment, '#6a9955');
  });
});

describe('token colours: .tmTheme plists', () => {
  const tmTheme = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>name</key><string>Old &amp; Plist</string>
  <key>settings</key>
  <array>
    <dict><key>settings</key><dict><key>foreground</key><string>#F8F8F2</string><key>background</key><string>#272822</string></dict></dict>
    <!-- a comment -->
    <dict>
      <key>name</key><string>Keyword</string>
      <key>scope</key><string>keyword, storage</string>
      <key>settings</key><dict><key>foreground</key><string>#F92672</string></dict>
    </dict>
    <dict>
      <key>scope</key><string>string</string>
      <key>settings</key><dict><key>foreground</key><string>#E6DB74</string><key>fontStyle</key><string/></dict>
    </dict>
    <dict><key>scope</key><string>constant.numeric</string><key>settings</key><dict><key>foreground</key><string>#AE81FF</string></dict><key>n</key><integer>3</integer><key>b</key><true/></dict>
  </array>
</dict>
</plist>`;

  it('parses the plist subset themes use', () => {
    const p = parsePlist(tmTheme) as { name: string; settings: { scope?: string; n?: number; b?: boolean }[] };
    assert.equal(p.name, 'Old & Plist');
    assert.equal(p.settings.length, 4);
    assert.equal(p.settings[1]!.scope, 'keyword, storage');
    assert.equal(p.settings[3]!.n, 3);
    assert.equal(p.settings[3]!.b, true);
    assert.throws(() => parsePlist('<plist><dict><key>a</key></dict></plist>'));
  });

  it('reads tokenColors given as a path to a .tmTheme, and a .tmTheme theme file', async () => {
    const read = memoryRead({ '/e/themes/t.json': '{"name":"J","tokenColors":"./old.tmTheme"}', '/e/themes/old.tmTheme': tmTheme });
    const expected = { command: '#f92672', keyword: '#f92672', string: '#e6db74', number: '#ae81ff' };
    assert.deepEqual(resolveTokenColors(await loadThemeJson('/e/themes/t.json', read), AOF_TOKEN_SCOPES), expected);
    assert.deepEqual(resolveTokenColors(await loadThemeJson('/e/themes/old.tmTheme', read), AOF_TOKEN_SCOPES), expected);
  });

  it('takes an old JSON theme’s settings array as its tokenColors', async () => {
    const read = memoryRead({ '/o/t.json': '{"settings":[{"settings":{"foreground":"#ffffff"}},{"scope":"comment","settings":{"foreground":"#00ff00"}}]}' });
    assert.deepEqual(resolveTokenColors(await loadThemeJson('/o/t.json', read), AOF_TOKEN_SCOPES), { comment: '#00ff00' });
  });
});

describe('token colours: scope matching', () => {
  const scope = 'keyword.other.command.redis-aof';

  it('matches selector prefixes on dot boundaries only', () => {
    assert.equal(resolveScopeColor([rule('keyword', '#111111')], scope), '#111111');
    assert.equal(resolveScopeColor([rule('keyword.other.command.redis-aof', '#111111')], scope), '#111111');
    assert.equal(resolveScopeColor([rule('keywords', '#111111')], scope), undefined);
    assert.equal(resolveScopeColor([rule('keyword.oth', '#111111')], scope), undefined);
    assert.equal(resolveScopeColor([rule('keyword.other.command.redis-aof.more', '#111111')], scope), undefined);
    assert.equal(resolveScopeColor([rule('other.command', '#111111')], scope), undefined);
  });

  it('the longest matching selector wins, whatever the order', () => {
    const long = rule('keyword.other', '#222222');
    const short = rule('keyword', '#111111');
    assert.equal(resolveScopeColor([long, short], scope), '#222222');
    assert.equal(resolveScopeColor([short, long], scope), '#222222');
  });

  it('the later rule wins a tie', () => {
    assert.equal(resolveScopeColor([rule('keyword', '#111111'), rule('keyword', '#222222')], scope), '#222222');
    assert.equal(resolveScopeColor([rule(['string', 'keyword'], '#111111'), rule('comment, keyword', '#222222')], scope), '#222222');
  });

  it('reads comma-separated strings (with stray commas and spaces) and arrays', () => {
    assert.equal(resolveScopeColor([rule(',string ,  keyword.other,', '#111111')], scope), '#111111');
    assert.equal(resolveScopeColor([rule(['string', ' keyword.other '], '#111111')], scope), '#111111');
    assert.equal(resolveScopeColor([{ scope: 42 as unknown as string, settings: { foreground: '#111111' } }], scope), undefined);
    // As in vscode-textmate, array elements are not split again: "a, b" is `b` under a parent "a,".
    assert.equal(resolveScopeColor([rule(['string, keyword.other'], '#111111')], scope), undefined);
  });

  it('a rule without a foreground does not hide a shorter one (fontStyle-only rules)', () => {
    assert.equal(resolveScopeColor([rule('keyword', '#111111'), rule('keyword.other')], scope), '#111111');
    assert.equal(resolveScopeColor([{ scope: 'keyword.other' }, rule('keyword', '#111111')], scope), '#111111');
  });

  it('a fontStyle-only rule with parents takes the plain foreground of its own selector, hiding shorter ones', () => {
    // vscode-textmate: a new rule with parent scopes inherits what it does not
    // set from the plain rule of the same selector (here: none), and being
    // deeper it beats `meta.command punctuation.definition`; with no
    // foreground, the token then takes its enclosing scope's colour.
    const p = 'source.redis-aof meta.command.redis-aof meta.argument.redis-aof meta.bulk-length.redis-aof punctuation.definition.bulk-length.redis-aof';
    const shorter = rule('meta.command punctuation.definition', '#111111');
    assert.equal(resolveScopeColor([shorter], p), '#111111');
    assert.equal(resolveScopeColor([shorter, rule('meta.argument punctuation.definition.bulk-length')], p), undefined);
    assert.equal(resolveScopeColor([shorter, rule('meta.argument punctuation.definition.bulk-length'), rule('meta.bulk-length', '#222222')], p), '#222222');
    // With the same parents, the deeper rule merges into the shorter one and keeps its foreground.
    assert.equal(resolveScopeColor([shorter, rule('meta.command punctuation.definition.bulk-length')], p), '#111111');
  });

  it('ignores rules without a scope (the theme default, not a token colour)', () => {
    assert.equal(resolveScopeColor([{ settings: { foreground: '#111111' } }], scope), undefined);
  });

  it('parent selectors match the ancestors of the scope path, in order', () => {
    const p = 'source.redis-aof meta.command.redis-aof keyword.other.command.redis-aof';
    assert.equal(resolveScopeColor([rule('source.redis-aof keyword', '#111111')], p), '#111111');
    assert.equal(resolveScopeColor([rule('source meta.command keyword', '#111111')], p), '#111111');
    assert.equal(resolveScopeColor([rule('meta.command source keyword', '#111111')], p), undefined);
    assert.equal(resolveScopeColor([rule('source.python keyword', '#111111')], p), undefined);
    assert.equal(resolveScopeColor([rule('source.redis-aof > keyword', '#111111')], p), undefined);
    assert.equal(resolveScopeColor([rule('meta.command > keyword', '#111111')], p), '#111111');
    // Without ancestors (a bare scope) a parent selector never matches.
    assert.equal(resolveScopeColor([rule('source.redis-aof keyword', '#111111')], scope), undefined);
    // Dark+'s `string meta.image.inline.markdown` does not touch AOF strings.
    assert.equal(resolveScopeColor([rule('string', '#111111'), rule('string meta.image.inline.markdown', '#222222')], AOF_TOKEN_SCOPES.string), '#111111');
  });

  it('at equal depth a matching parent selector beats a plain one; a deeper plain selector beats both', () => {
    const p = 'source.redis-aof meta.command.redis-aof keyword.other.command.redis-aof';
    const withParent = rule('source.redis-aof keyword', '#111111');
    const plain = rule('keyword', '#222222');
    assert.equal(resolveScopeColor([withParent, plain], p), '#111111');
    assert.equal(resolveScopeColor([plain, withParent], p), '#111111');
    assert.equal(resolveScopeColor([withParent, rule('keyword.other', '#333333')], p), '#333333');
    // vscode-textmate 9: the longer innermost parent first, then the next, then more parents.
    assert.equal(resolveScopeColor([rule('source meta.command keyword', '#444444'), rule('source.redis-aof keyword', '#111111')], p), '#111111');
    assert.equal(resolveScopeColor([rule('source keyword', '#555555'), rule('meta.command keyword', '#111111')], p), '#111111');
    assert.equal(resolveScopeColor([rule('meta.command keyword', '#111111'), rule('source meta.command keyword', '#444444')], p), '#444444');
    // Equal weight: the same parents merge (the later wins); different ones, the lexicographically smaller wins.
    assert.equal(resolveScopeColor([rule('source keyword', '#111111'), rule('source keyword', '#222222')], p), '#222222');
    const q = 'abcd.x meta.y keyword.z';
    assert.equal(resolveScopeColor([rule('meta keyword', '#111111'), rule('abcd keyword', '#222222')], q), '#222222');
    assert.equal(resolveScopeColor([rule('abcd keyword', '#222222'), rule('meta keyword', '#111111')], q), '#222222');
  });

  it('a token no rule matches takes the colour of its enclosing scopes, innermost first', () => {
    const rules = [rule('meta.command', '#111111'), rule('meta.argument', '#222222')];
    assert.equal(resolveScopeColor(rules, AOF_TOKEN_SCOPES.string), '#222222');
    assert.equal(resolveScopeColor(rules, AOF_TOKEN_SCOPES.command), '#111111');
    assert.equal(resolveScopeColor(rules, AOF_TOKEN_SCOPES.comment), undefined);
    assert.equal(resolveScopeColor([...rules, rule('string', '#333333')], AOF_TOKEN_SCOPES.string), '#333333');
  });

  it('resolves every role through resolveTokenColors, leaving out what the theme lacks', () => {
    const theme: ThemeJson = { tokenColors: [rule('keyword', '#111111'), rule('comment', '#222222')] };
    assert.deepEqual(resolveTokenColors(theme, AOF_TOKEN_SCOPES), { command: '#111111', keyword: '#111111', comment: '#222222' });
    assert.deepEqual(resolveTokenColors({}, AOF_TOKEN_SCOPES), {});
    assert.deepEqual(resolveTokenColors({ tokenColors: './x.tmTheme' }, AOF_TOKEN_SCOPES), {});
  });
});

describe('token colours: agreement with vscode-textmate (skipped when the e2e harness is not installed)', () => {
  // VS Code 1.99.3's own vscode-textmate and oniguruma, from the harness's code-server.
  const NM = path.join(HARNESS_THEMES, '..', '..', 'node_modules');
  const available = existsSync(path.join(NM, 'vscode-textmate', 'package.json')) && existsSync(path.join(NM, 'vscode-oniguruma', 'release', 'onig.wasm'));

  interface Token { startIndex: number; scopes: string[] }
  interface Grammar {
    tokenizeLine(line: string, stack: unknown): { tokens: Token[]; ruleStack: unknown };
    tokenizeLine2(line: string, stack: unknown): { tokens: Uint32Array };
  }
  interface Registry { loadGrammar(scope: string): Promise<Grammar>; setTheme(theme: { settings: TokenColorRule[] }): void; getColorMap(): string[] }
  interface Textmate {
    Registry: new (options: unknown) => Registry;
    INITIAL: unknown;
    parseRawGrammar(content: string, path: string): unknown;
  }
  interface Oniguruma {
    loadWASM(data: ArrayBuffer): Promise<void>;
    OnigScanner: new (patterns: string[]) => unknown;
    OnigString: new (s: string) => unknown;
  }

  const LINES = ['#TS:1700000000', '*3', '$3', 'SET', '$3', 'key', '$5', 'value', '*1', '$5', 'MULTI', '*2', '$4', 'incr', '$2', '42', '*1', '$7', 'NOPECMD'];
  const DEFAULT = '#010203';
  let tm: Textmate;
  let registry: Registry;
  let grammar: Grammar;

  before(async function () {
    if (!available) this.skip();
    const req = createRequire(__filename);
    tm = req(path.join(NM, 'vscode-textmate')) as Textmate;
    const onig = req(path.join(NM, 'vscode-oniguruma')) as Oniguruma;
    const wasm = readFileSync(path.join(NM, 'vscode-oniguruma', 'release', 'onig.wasm'));
    await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
    const grammarFile = path.join(__dirname, '..', '..', 'syntaxes', 'redis-aof.tmLanguage.json');
    registry = new tm.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new onig.OnigScanner(p), createOnigString: (s: string) => new onig.OnigString(s) }),
      loadGrammar: async (scope: string) => (scope === 'source.redis-aof' ? tm.parseRawGrammar(readFileSync(grammarFile, 'utf8'), grammarFile) : null),
    });
    grammar = await registry.loadGrammar('source.redis-aof');
  });

  /** Each token's scope path and the colour the editor gives it. */
  function editorColors(rules: TokenColorRule[]): { scopes: string; color: string }[] {
    registry.setTheme({ settings: [{ settings: { foreground: DEFAULT } }, ...rules] });
    const colorMap = registry.getColorMap();
    const out: { scopes: string; color: string }[] = [];
    let stack = tm.INITIAL;
    for (const line of LINES) {
      const r1 = grammar.tokenizeLine(line, stack);
      const r2 = grammar.tokenizeLine2(line, stack);
      stack = r1.ruleStack;
      for (const t of r1.tokens) {
        let fg = 0;
        for (let i = 0; i < r2.tokens.length; i += 2) if (r2.tokens[i]! <= t.startIndex) fg = (r2.tokens[i + 1]! >>> 15) & 0x1ff;
        out.push({ scopes: t.scopes.join(' '), color: colorMap[fg]!.toLowerCase() });
      }
    }
    return out;
  }

  it('the role scope paths are the ones the grammar produces', () => {
    const paths = editorColors([]).map((t) => t.scopes);
    for (const role of TOKEN_ROLES) {
      // `comment` is the #TS line's scope; its tokens (`#`, `TS`, `:`, digits) are below it.
      const found = role === 'comment' ? paths.some((p) => p.startsWith(AOF_TOKEN_SCOPES[role] + ' ')) : paths.includes(AOF_TOKEN_SCOPES[role]);
      assert.ok(found, `${role}: ${AOF_TOKEN_SCOPES[role]}`);
    }
  });

  it('gives every token of an AOF the editor’s colour in the seven built-in themes', async () => {
    for (const name of ['dark_modern', 'dark_plus', 'dark_vs', 'light_modern', 'light_plus', 'light_vs', 'hc_black']) {
      const rules = (await loadFixture(`${name}.json`)).tokenColors as TokenColorRule[];
      for (const t of editorColors(rules)) assert.equal(resolveScopeColor(rules, t.scopes) ?? DEFAULT, t.color, `${name}: ${t.scopes}`);
    }
  });

  it('and in 500 random themes (parents, child combinators, fontStyle-only rules, invalid colours)', () => {
    let seed = 20240501;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pick = <T>(a: readonly T[]) => a[rnd(a.length)]!;
    const prefixes = new Set<string>(['source.python', 'string.quoted', 'meta.c', 'keywords']);
    for (const t of editorColors([])) {
      for (const s of t.scopes.split(' ')) {
        const parts = s.split('.');
        for (let i = 1; i <= parts.length; i++) prefixes.add(parts.slice(0, i).join('.'));
      }
    }
    const pre = [...prefixes];
    const colors = ['#111111', '#222222', '#333333', '#abc', '#12345678', 'red', '#12345', 'red;} body{display:none'];
    for (let iter = 0; iter < 500; iter++) {
      const rules: TokenColorRule[] = [];
      for (let i = 1 + rnd(12); i > 0; i--) {
        const selectors: string[] = [];
        for (let j = 1 + rnd(3); j > 0; j--) {
          const segs: string[] = [];
          for (let k = rnd(4) === 0 ? 1 + rnd(3) : 0; k > 0; k--) {
            segs.push(pick(pre));
            if (rnd(5) === 0) segs.push('>');
          }
          segs.push(pick(pre));
          selectors.push(segs.join(rnd(10) === 0 ? '  ' : ' '));
        }
        const settings: Record<string, string> = {};
        if (rnd(6) !== 0) settings.foreground = pick(colors);
        if (rnd(3) === 0) settings.fontStyle = 'bold';
        rules.push({ scope: rnd(2) ? (rnd(8) ? '' : ',') + selectors.join(', ') : selectors, settings });
      }
      for (const t of editorColors(rules)) {
        assert.equal(resolveScopeColor(rules, t.scopes) ?? DEFAULT, t.color, `${t.scopes} in ${JSON.stringify(rules)}`);
      }
    }
  });
});

describe('token colours: hostile values', () => {
  const hostile = 'red;} body{display:none';

  it('accepts only #rgb, #rgba, #rrggbb and #rrggbbaa', () => {
    for (const ok of ['#abc', '#ABCD', '#a1b2c3', '#A1B2C3D4']) assert.equal(safeColor(ok), ok.toLowerCase());
    for (const bad of [hostile, 'red', '#12', '#12345', '#1234567', '#123456789', '#ggg', ' #123', '#123 ', '#123;', 'rgb(1,2,3)', 123, null, undefined]) {
      assert.equal(safeColor(bad), undefined, String(bad));
    }
  });

  it('a hostile foreground counts as no foreground: the next match applies', () => {
    const rules = [rule('keyword', '#111111'), rule('keyword.other.command', hostile), rule('string', hostile)];
    assert.deepEqual(resolveTokenColors({ tokenColors: rules }, AOF_TOKEN_SCOPES), { command: '#111111', keyword: '#111111' });
  });

  it('never lets a hostile value into the CSS, even when handed to tokenColorsCss directly', async () => {
    const theme = await loadThemeJson(
      '/h/t.json',
      memoryRead({ '/h/t.json': JSON.stringify({ tokenColors: TOKEN_ROLES.map((r) => rule(AOF_TOKEN_SCOPES[r].split(' ').pop()!, hostile)) }) }),
    );
    const css = tokenColorsCss(resolveTokenColors(theme, AOF_TOKEN_SCOPES));
    assert.ok(!css.includes('display'));
    const direct = tokenColorsCss({ command: hostile, keyword: '#12345', string: 'url(x)' } as Partial<Record<TokenRole, string>>);
    assert.ok(!direct.includes('display') && !direct.includes('url'));
    assert.match(direct, /^(--rpi-token-[a-z]+:(#[0-9a-f]{3,8}|var\(--vscode-[A-Za-z.-]+\));){6}$/);
  });

  it('falls back to a workbench colour variable for every missing role', () => {
    assert.equal(
      tokenColorsCss({ string: '#ABCDEF' }),
      `--rpi-token-command:${TOKEN_FALLBACKS.command};--rpi-token-keyword:${TOKEN_FALLBACKS.keyword};` +
        `--rpi-token-number:${TOKEN_FALLBACKS.number};--rpi-token-string:#abcdef;` +
        `--rpi-token-comment:${TOKEN_FALLBACKS.comment};--rpi-token-invalid:${TOKEN_FALLBACKS.invalid};`,
    );
    assert.equal(TOKEN_FALLBACKS.invalid, 'var(--vscode-errorForeground)');
  });
});

describe('token colours: editor.tokenColorCustomizations', () => {
  it('appends general then theme-specific rules, shorthands before textMateRules', async () => {
    const theme = await loadFixture('dark_modern.json');
    const custom = {
      comments: '#010101',
      numbers: { foreground: '#020202', fontStyle: 'bold' },
      textMateRules: [{ scope: 'constant.numeric.integer', settings: { foreground: '#030303' } }, { scope: 'nope' }],
      '[Default Light Modern]': { strings: '#040404' },
      '[Other][Default Dark *]': { strings: '#050505', comments: '#060606' },
    };
    const c = resolveTokenColors(applyTokenColorCustomizations(theme, custom, 'Default Dark Modern'), AOF_TOKEN_SCOPES);
    assert.deepEqual(c, {
      command: '#569cd6',
      keyword: '#c586c0',
      number: '#030303', // the longer textMateRules selector beats the numbers shorthand
      string: '#050505',
      comment: '#060606', // theme-specific after general
      invalid: '#f44747',
    });
    // The theme itself is not modified.
    assert.equal(resolveTokenColors(theme, AOF_TOKEN_SCOPES).comment, '#6a9955');
  });

  it('the keywords shorthand colours keyword.control but, as in VS Code, not other keywords', async () => {
    const theme = await loadFixture('dark_modern.json');
    const c = resolveTokenColors(applyTokenColorCustomizations(theme, { keywords: '#070707' }, 'Default Dark Modern'), AOF_TOKEN_SCOPES);
    assert.equal(c.keyword, '#070707');
    assert.equal(c.command, '#569cd6');
  });

  it('ignores what is not an object', () => {
    const theme: ThemeJson = { tokenColors: [] };
    assert.equal(applyTokenColorCustomizations(theme, undefined, 'x'), theme);
    assert.equal(applyTokenColorCustomizations(theme, 'red', 'x'), theme);
  });
});

describe('token colours: finding the active theme', () => {
  const pkg = JSON.parse(readFileSync(path.join(THEMES, 'theme-defaults.package.json'), 'utf8')) as {
    contributes: { themes: ThemeContribution[] };
  };
  const nls = JSON.parse(readFileSync(path.join(THEMES, 'theme-defaults.package.nls.json'), 'utf8')) as Record<string, unknown>;
  const find = (id: string, withNls = true) => pkg.contributes.themes.find((t) => themeMatchesSetting(t, id, withNls ? nls : undefined))?.path;

  it('matches the settings id (the contribution id), the label, or the localized %label%', () => {
    assert.equal(find('Default Dark Modern', false), './themes/dark_modern.json');
    assert.equal(find('Default High Contrast', false), './themes/hc_black.json');
    assert.equal(find('Light Modern', false), undefined);
    assert.equal(find('Light Modern'), './themes/light_modern.json');
    assert.equal(find('Dark High Contrast'), './themes/hc_black.json');
    assert.equal(themeMatchesSetting({ label: 'Monokai Pro', path: 'x' }, 'Monokai Pro'), true);
    assert.equal(themeMatchesSetting({ label: '%x%', path: 'x' }, 'Y', { x: { message: 'Y', comment: [] } }), true);
  });

  it('orders candidates: colorTheme, the preferred theme of the kind, the default', () => {
    const s = {
      colorTheme: 'Monokai',
      preferredDarkColorTheme: 'Default Dark+',
      preferredLightColorTheme: 'Solarized Light',
      preferredHighContrastColorTheme: 'Default High Contrast',
      preferredHighContrastLightColorTheme: 'Default High Contrast Light',
    };
    assert.deepEqual(themeCandidates(s, 2), ['Monokai', 'Default Dark+', 'Default Dark Modern']);
    assert.deepEqual(themeCandidates(s, 1), ['Monokai', 'Solarized Light', 'Default Light Modern']);
    assert.deepEqual(themeCandidates({ ...s, autoDetectColorScheme: true }, 1), ['Solarized Light', 'Monokai', 'Default Light Modern']);
    assert.deepEqual(themeCandidates(s, 3), ['Monokai', 'Default High Contrast']);
    assert.deepEqual(themeCandidates({}, 4), ['Default High Contrast Light']);
    assert.deepEqual(themeCandidates({ colorTheme: 42 }, 2), ['Default Dark Modern']);
  });
});
