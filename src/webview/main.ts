/**
 * Entry of the editor webview bundle (dist/webview.js, see scripts/build.mjs).
 * The host page (src/extension/editor) provides `<div id="app">`, the
 * codicon and editor stylesheets and the token colour variables.
 */

import { App } from './app.js';

function start(): void {
  const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
  root.id = 'app';
  root.classList.add('app');
  new App(root);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
