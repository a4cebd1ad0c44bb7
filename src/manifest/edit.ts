/**
 * In-place edits of YAML manifests that keep comments, key order, quoting and
 * the formatting of everything not touched, using the yaml Document API.
 */
import { isMap, isScalar, type Document } from 'yaml';
import type { ManifestFile } from './read.js';

/** Options that make the yaml library re-print a document as close to its source as it can. */
export const PRESERVING_TO_STRING = { lineWidth: 0, minContentWidth: 0 } as const;

/**
 * Sets a string at `path` (creating maps on the way); returns whether the
 * document changed. An existing scalar keeps its node, so its comments stay.
 */
export function setString(doc: Document, path: (string | number)[], value: string): boolean {
  const node = doc.getIn(path, true);
  if (isScalar(node)) {
    if (node.value === value) return false;
    node.value = value;
    return true;
  }
  doc.setIn(path, doc.createNode(value));
  return true;
}

/** Deletes `path`; returns whether something was there. Empty parent maps are left alone. */
export function deletePath(doc: Document, path: (string | number)[]): boolean {
  if (!doc.hasIn(path)) return false;
  doc.deleteIn(path);
  return true;
}

export function isMapAt(doc: Document, path: (string | number)[]): boolean {
  return isMap(doc.getIn(path, true));
}

/**
 * The file's text with its edited YAML documents re-printed; documents that
 * were not edited, and the separators between documents, are copied from the
 * source byte for byte.
 */
export function renderEditedYaml(file: ManifestFile, edited: ReadonlySet<number>): string {
  if (edited.size === 0) return file.text;
  let out = '';
  let cursor = 0;
  let previousEnd = 0;
  for (const document of file.documents) {
    const doc = document.yaml;
    if (!doc) continue;
    // A document's text runs from the end of the one before it (so its
    // leading comments and `---` marker are included) to the end of its value.
    const start = previousEnd;
    const [, valueEnd, nodeEnd] = doc.range;
    previousEnd = Math.max(nodeEnd, valueEnd);
    if (!edited.has(document.index)) continue;
    out += file.text.slice(cursor, start);
    out += fitToOriginal(doc.toString(PRESERVING_TO_STRING), file.text.slice(start, valueEnd));
    cursor = valueEnd;
  }
  return out + file.text.slice(cursor);
}

/** Keeps the original's choice of `---` marker and final newline. */
function fitToOriginal(printed: string, original: string): string {
  let body = printed;
  const hadMarker = /^---(\s|$)/m.test(original);
  if (!hadMarker && body.startsWith('---\n')) body = body.slice(4);
  if (!original.endsWith('\n')) body = body.replace(/\n$/, '');
  return body;
}
