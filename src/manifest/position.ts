/**
 * Where a key is in a manifest: maps a key path inside a parsed document
 * (`['data', 'password']`, `['items', 0, 'data']`) to a 1-based line and
 * column. Documents read by the fast path (fast-yaml.ts) get the offsets it
 * records, without the yaml package; other YAML documents use the yaml
 * library's node ranges. JSON documents are re-parsed lazily as YAML (JSON is
 * YAML's flow style) only when a position is asked for.
 */
import type { Document, Node } from 'yaml';
import { fastOffsets, offsetInTree, type OffsetTree } from './fast-yaml.js';
import { LineIndex, type Position } from './lines.js';
import { isFastDocument, type ManifestDocument, type ManifestFile } from './read.js';
import { QUIET_PARSE, yamlLib } from './yaml-lib.js';

export { LineIndex, type Position };

const lineIndexes = new WeakMap<ManifestFile, LineIndex>();
const jsonDocs = new WeakMap<ManifestDocument, { doc: Document.Parsed; base: number } | null>();
const fastTrees = new WeakMap<ManifestFile, OffsetTree[] | null>();

export function lineIndexOf(file: ManifestFile): LineIndex {
  let index = lineIndexes.get(file);
  if (!index) {
    index = new LineIndex(file.text);
    lineIndexes.set(file, index);
  }
  return index;
}

/**
 * Offset of the deepest node of `path` found in `doc` (a map key, or a
 * sequence item); undefined when not even the first step is there.
 */
export function offsetOfPath(doc: Document, path: readonly (string | number)[]): number | undefined {
  const { isAlias, isMap, isScalar, isSeq } = yamlLib();
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/** Position of `path` in one document of a file; the document's first line when the path is not found. */
export function positionOf(file: ManifestFile, document: ManifestDocument, path: readonly (string | number)[]): Position {
  const index = lineIndexOf(file);
  let offset: number | undefined;
  const tree = isFastDocument(document) ? fastTreeOf(file, document) : undefined;
  if (tree !== undefined) {
    offset = offsetInTree(tree, path);
  } else if (document.yaml) {
    offset = offsetOfPath(document.yaml, path);
  } else {
    const json = jsonDocument(file, document, index);
    const inner = json ? offsetOfPath(json.doc, path) : undefined;
    if (json && inner !== undefined) offset = json.base + inner;
  }
  return offset === undefined ? { line: document.line, column: 1 } : index.position(offset);
}

/** The fast path's offsets for a document it read; undefined if the text changed since (then yaml answers). */
function fastTreeOf(file: ManifestFile, document: ManifestDocument): OffsetTree | undefined {
  let trees = fastTrees.get(file);
  if (trees === undefined) {
    trees = fastOffsets(file.text) ?? null;
    fastTrees.set(file, trees);
  }
  return trees && document.index < trees.length ? trees[document.index] : undefined;
}

function jsonDocument(file: ManifestFile, document: ManifestDocument, index: LineIndex) {
  let cached = jsonDocs.get(document);
  if (cached === undefined) {
    const base = index.lineStart(document.line);
    const next = file.documents[document.index + 1];
    const end = next && next.line > document.line ? index.lineStart(next.line) : file.text.length;
    const doc = yamlLib().parseDocument(file.text.slice(base, end), { ...QUIET_PARSE, uniqueKeys: false });
    cached = doc.errors.length === 0 ? { doc, base } : null;
    jsonDocs.set(document, cached);
  }
  return cached ?? undefined;
}
