/**
 * "Go to Byte Offset…": moves the cursor of the active editor to the position
 * of a byte offset (decimal or 0x hex) of its document's bytes. Takes the
 * offset as an optional argument (a number, or a string as typed).
 */

import * as vscode from 'vscode';
import { formatOffset } from '../../core/model/problem.js';
import { AOF_LANGUAGE, documentBytes, getAnalysis } from './analysis.js';

/** `123` or `0x7B` → 123; undefined for anything else. */
export function parseOffset(text: string): number | undefined {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t.slice(2), 16);
  if (/^\d+$/.test(t)) return Number(t);
  return undefined;
}

export async function goToOffsetCommand(arg?: number | string): Promise<vscode.Position | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage('Redis Inspector: open an AOF file first.');
    return undefined;
  }
  const doc = editor.document;
  const data = doc.languageId === AOF_LANGUAGE ? await getAnalysis(doc) : await documentBytes(doc);
  const size = data.bytes.length;
  let offset: number | undefined;
  if (typeof arg === 'number') offset = arg;
  else if (typeof arg === 'string') offset = parseOffset(arg);
  else {
    const input = await vscode.window.showInputBox({
      title: 'Go to Byte Offset',
      prompt: `Byte offset in ${doc.uri.path.slice(doc.uri.path.lastIndexOf('/') + 1)} (${size} bytes): decimal, or hex with 0x`,
      placeHolder: '1234 or 0x4D2',
      validateInput: (v) => {
        const o = parseOffset(v);
        if (o === undefined) return 'a decimal number, or hex with 0x';
        return o > size ? `past the end (${formatOffset(size)})` : undefined;
      },
    });
    if (input === undefined) return undefined;
    offset = parseOffset(input);
  }
  if (offset === undefined || !Number.isInteger(offset) || offset < 0 || offset > size) {
    void vscode.window.showErrorMessage(`Redis Inspector: ${String(arg ?? offset)} is not a byte offset of this file (0 to ${size}).`);
    return undefined;
  }
  const p = data.index.positionAt(offset);
  const position = new vscode.Position(p.line, p.character);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return position;
}
