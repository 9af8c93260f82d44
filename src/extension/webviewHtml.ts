/**
 * The HTML of our webviews (the inspector, the key-level diff view): a strict
 * content security policy — nothing by default, scripts only with this page's
 * nonce, styles and fonts only from the extension's own folders (plus one
 * nonce'd style element for values computed in the host) — the codicons, one
 * stylesheet from `media/` and one script from `dist/`.
 */

import * as vscode from 'vscode';

export interface PageParts {
  title: string;
  /** `media/<stylesheet>`. */
  stylesheet: string;
  /** `dist/<script>`. */
  script: string;
  /** CSS custom properties set on `:root` (already validated by the caller). */
  rootStyle?: string;
}

function makeNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, parts: PageParts): string {
  const nonce = makeNonce();
  const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('dist', 'codicons', 'codicon.css')}" nonce="${nonce}">
<link rel="stylesheet" href="${asset('media', parts.stylesheet)}" nonce="${nonce}">
${parts.rootStyle !== undefined ? `<style nonce="${nonce}" id="token-colors">:root{${parts.rootStyle}}</style>\n` : ''}<title>${parts.title}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${asset('dist', parts.script)}"></script>
</body>
</html>`;
}
