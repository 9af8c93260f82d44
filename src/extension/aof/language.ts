/**
 * Registration of the AOF text-editor support: diagnostics (AOF and
 * manifest), hover, outline, folding, manifest links and "Go to Byte Offset…".
 */

import * as vscode from 'vscode';
import { AOF_LANGUAGE, MANIFEST_LANGUAGE } from './analysis.js';
import { AofDiagnostics } from './diagnostics.js';
import { goToOffsetCommand } from './goToOffset.js';
import { AofFoldingProvider, AofHoverProvider, AofSymbolProvider, ManifestLinkProvider } from './providers.js';

export function registerAofLanguage(context: vscode.ExtensionContext): void {
  const aof: vscode.DocumentSelector = { language: AOF_LANGUAGE };
  const manifest: vscode.DocumentSelector = { language: MANIFEST_LANGUAGE };
  context.subscriptions.push(
    new AofDiagnostics(context),
    vscode.languages.registerHoverProvider(aof, new AofHoverProvider()),
    vscode.languages.registerDocumentSymbolProvider(aof, new AofSymbolProvider(), { label: 'Redis AOF' }),
    vscode.languages.registerFoldingRangeProvider(aof, new AofFoldingProvider()),
    vscode.languages.registerDocumentLinkProvider(manifest, new ManifestLinkProvider()),
    vscode.commands.registerCommand('redisInspector.goToOffset', (arg?: number | string) => goToOffsetCommand(arg)),
  );
}
