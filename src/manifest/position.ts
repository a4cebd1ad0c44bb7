/**
 * Where a key is in a manifest: maps a key path inside a parsed document
 * (`['data', 'password']`, `['items', 0, 'data']`) to a 1-based line and
 * column. Documents read by the fast path (fast-yaml.ts) get the offsets it
 * records, without the yaml package; other YAML documents use the yaml
 * library's node ranges. JSON documents are re-parsed lazily as YAML (JSON is
 * YAML's flow style) only when a position is asked for.
 */
import type { Document, Node, Pair, Scalar, YAMLMap } from 'yaml';
import { goKeyString, resolveGoPlain } from '../go/yaml11-resolve.js';
import { fastOffsets, offsetInTree, type OffsetTree } from './fast-yaml.js';
import { LineIndex, type Position } from './lines.js';
import { isFastDocument, type ManifestDocument, type ManifestFile } from './read.js';
import { QUIET_PARSE, yamlLib } from './yaml-lib.js';

export { LineIndex, type Position };

const lineIndexes = new WeakMap<ManifestFile, LineIndex>();
const jsonDocs = new WeakMap<ManifestDocument, { doc: Document.Parsed; base: number } | null>();
const fastTrees = new WeakMap<ManifestFile, OffsetTree[] | null>();
/** each map's pairs by key, built on the first lookup: one lookup per finding stays O(1) in the map's size */
const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();
/** where a map's pair index keeps its merge key (`<<`), a name no YAML key can have */
const MERGE = '\0<<';

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
      let pairs = pairIndexes.get(node);
      if (!pairs) {
        pairs = new Map();
        // the first pair of a key wins, as a search from the start would find it
        for (const p of node.items) {
          // a merge key's scalar holds a symbol (yaml's `merge: true`): kept under MERGE
          const key = isScalar(p.key) ? (typeof p.key.value === 'symbol' ? MERGE : jsonKeyOf(p.key)) : String(p.key);
          if (!pairs.has(key)) pairs.set(key, p);
        }
        pairIndexes.set(node, pairs);
      }
      const pair = pairs.get(String(segment)) ?? mergedPair(doc, pairs.get(MERGE) ?? pairs.get('<<'), String(segment));
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

/**
 * A key a map takes from a merge key (`<<: *base`, `<<: [*a, *b]`): the pair
 * where it stands in the anchored map, the first one as YAML merges them.
 */
function mergedPair(doc: Document, merge: Pair | undefined, key: string): Pair | undefined {
  if (!merge) return undefined;
  const { isAlias, isMap, isScalar, isSeq } = yamlLib();
  const sources = isSeq(merge.value) ? merge.value.items : [merge.value];
  for (let source of sources) {
    if (isAlias(source)) source = source.resolve(doc);
    if (!isMap(source)) continue;
    const found = source.items.find((p) => (isScalar(p.key) ? jsonKeyOf(p.key) : String(p.key)) === key);
    if (found) return found;
  }
  return undefined;
}

/**
 * The JSON key a scalar map key becomes in the document's value (the
 * cluster's reading, yaml11-value.ts): a plain untagged key resolved by YAML
 * 1.1 (`on` is "true", `010` "8"), any other its text.
 */
function jsonKeyOf(key: Scalar): string {
  const source = typeof key.source === 'string' ? key.source : String(key.value);
  if (key.type !== 'PLAIN' || key.tag !== undefined) return source;
  return goKeyString(resolveGoPlain(source)) ?? source;
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
