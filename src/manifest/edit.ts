/**
 * In-place edits of YAML manifests that keep comments, key order, quoting and
 * the formatting of everything not touched. Two ways:
 * - text splices (`planSetStrings` + `applySplices`): the source text stays
 *   byte for byte except the inserted or replaced lines, located through the
 *   yaml library's node ranges. Preferred: re-printing a document through the
 *   yaml library changes untouched lines (sequence indentation, flow spacing,
 *   comment placement, blank lines).
 * - the yaml Document API (`setString` + `renderEditedYaml`): re-prints the
 *   edited documents; the fallback for shapes a splice cannot express
 *   (aliases, merge keys, empty or null maps).
 */
import type { Document, Node, YAMLMap } from 'yaml';
import type { ManifestFile } from './read.js';
import { escapeForGoYaml, needsEscapes, plainMisreads } from './go-yaml-strings.js';
import { QUIET_PARSE, yamlLib } from './yaml-lib.js';

/** Options that make the yaml library re-print a document as close to its source as it can. */
export const PRESERVING_TO_STRING = { lineWidth: 0, minContentWidth: 0 } as const;

/**
 * Sets a string at `path` (creating maps on the way); returns whether the
 * document changed. An existing scalar keeps its node, so its comments stay.
 */
export function setString(doc: Document, path: (string | number)[], value: string): boolean {
  const { isScalar } = yamlLib();
  const node = doc.getIn(path, true);
  if (isScalar(node)) {
    if (node.value === value) return false;
    node.value = value;
    return true;
  }
  // an empty value on the way (`metadata:` with nothing after it) becomes a map
  for (let i = 1; i < path.length; i++) {
    const step = doc.getIn(path.slice(0, i), true);
    if (isScalar(step) && step.value === null) doc.setIn(path.slice(0, i), doc.createNode({}));
  }
  const created = doc.createNode(value);
  if (needsEscapes(value) || plainMisreads(value)) created.type = 'QUOTE_DOUBLE';
  doc.setIn(path, created);
  return true;
}

/** Deletes `path`; returns whether something was there. Empty parent maps are left alone. */
export function deletePath(doc: Document, path: (string | number)[]): boolean {
  if (!doc.hasIn(path)) return false;
  doc.deleteIn(path);
  return true;
}

export function isMapAt(doc: Document, path: (string | number)[]): boolean {
  const { isMap } = yamlLib();
  return isMap(doc.getIn(path, true));
}

/**
 * The file's text with its edited YAML documents re-printed; documents that
 * were not edited, and the separators between documents, are copied from the
 * source byte for byte.
 */
export function renderEditedYaml(file: ManifestFile, edited: ReadonlySet<number>): string {
  return applySplices(file.text, reprintSplices(file, edited));
}

/**
 * Splices that re-print the edited documents (reprintedDocument) and leave
 * everything else of the file as it is, to combine with other splices of the
 * documents not edited this way.
 */
export function reprintSplices(file: ManifestFile, edited: ReadonlySet<number>): Splice[] {
  const splices: Splice[] = [];
  let previousEnd = 0;
  for (const document of file.documents) {
    const doc = document.yaml;
    if (!doc) continue;
    // A document's text runs from the end of the one before it (so its
    // leading comments and `---` marker are included) to the end of its value.
    const start = previousEnd;
    const [, valueEnd, nodeEnd] = doc.range;
    previousEnd = Math.max(nodeEnd, valueEnd);
    if (edited.has(document.index)) splices.push({ start, end: valueEnd, insert: reprintedDocument(doc, file.text.slice(start, valueEnd)) });
  }
  return splices;
}

/**
 * A document re-printed through the yaml library in the style of its source
 * text: its indentation step, sequences indented under their key or not,
 * `{a: 1}` or `{ a: 1 }`, CRLF or LF line ends, its `---` marker and final
 * newline (or their absence).
 */
export function reprintedDocument(doc: Document, original: string): string {
  const lines = original.split(/\r?\n/);
  const indents = lines.filter((l) => /^ +[^ #\-]/.test(l)).map((l) => l.length - l.trimStart().length);
  const indent = indents.length ? Math.min(...indents) : 2;
  let indentSeq = true;
  for (let i = 1; i < lines.length; i++) {
    const key = /^( *)[^ #-][^#]*:\s*$/.exec(lines[i - 1]!);
    if (key && lines[i]!.startsWith(`${key[1]}- `)) indentSeq = false;
  }
  const flowCollectionPadding = !/[{[][^\s}\]]/.test(original) || /[{[] \S/.test(original);
  let body = doc.toString({ ...PRESERVING_TO_STRING, indent: Math.min(Math.max(indent, 1), 8), indentSeq, flowCollectionPadding });
  const hadMarker = /^---(\s|$)/m.test(original);
  if (!hadMarker && body.startsWith('---\n')) body = body.slice(4);
  if (!original.endsWith('\n')) body = body.replace(/\n$/, '');
  if (original.includes('\r\n')) body = body.replace(/\r?\n/g, '\r\n');
  return body;
}

/** Replace `text.slice(start, end)` by `insert`. */
export interface Splice {
  start: number;
  end: number;
  insert: string;
}

/** Applies non-overlapping splices; splices at the same offset keep their given order. */
export function applySplices(text: string, splices: readonly Splice[]): string {
  const ordered = splices.map((s, i) => ({ s, i })).sort((a, b) => a.s.start - b.s.start || a.i - b.i);
  let out = '';
  let cursor = 0;
  for (const { s } of ordered) {
    if (s.start < cursor) throw new Error('overlapping splices');
    out += text.slice(cursor, s.start) + s.insert;
    cursor = s.end;
  }
  return out + text.slice(cursor);
}

/**
 * Plans setting string `entries` in the map at `mapPath` of a parsed YAML (or
 * JSON) document as text splices: existing scalars are replaced in place
 * (keeping their quoting style), missing keys are inserted together as new
 * lines before the first key of the nearest existing map (or after the `{`
 * of a flow map), creating the missing maps on the way. Returns [] when
 * nothing changes and undefined when the shape needs the Document API.
 * Merge keys are not resolved: verify the result when the input may use them.
 */
export function planSetStrings(
  doc: Document,
  text: string,
  mapPath: (string | number)[],
  entries: readonly (readonly [string, string])[],
): Splice[] | undefined {
  const { isAlias, isMap, isScalar, isSeq } = yamlLib();
  let node: unknown = doc.contents;
  let parentKey: Node | undefined;
  let depth = 0;
  for (; depth < mapPath.length; depth++) {
    const key = mapPath[depth]!;
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      next = pair?.value;
      if (pair) parentKey = pair.key as Node;
    } else if (isSeq(node) && typeof key === 'number') {
      next = node.items[key];
      parentKey = undefined;
    } else return undefined;
    if (next === undefined) break;
    // `key:` with nothing after it, or `key: null` / `key: ~`
    const empty =
      next === null ||
      (isScalar(next) && next.value === null && ((next.source ?? '') === '' || (next.type === 'PLAIN' && ['null', 'Null', 'NULL', '~'].includes(next.source ?? ''))));
    if (empty && isMap(node) && !node.flow && typeof mapPath[depth + 1] !== 'number') {
      // `key:` with nothing after it (an empty template `metadata:`): the maps go on the lines below the key
      return belowEmptyKey(text, parentKey, node, mapPath.slice(depth + 1) as string[], entries, depth > 0 ? parentOf(doc, mapPath.slice(0, depth)) : undefined);
    }
    if (isAlias(next) || !(isMap(next) || isSeq(next))) return undefined; // null, scalar or alias where a map belongs
    node = next;
  }
  // A map with a merge key (`<<: *base`) gets explicit keys, which take precedence over merged
  // ones; a merged map of the same name would be hidden, so callers verify the result.
  if (!isMap(node) || typeof mapPath[depth] === 'number') return undefined;
  const missingPath = mapPath.slice(depth) as string[];

  const splices: Splice[] = [];
  let toInsert = entries;
  if (missingPath.length === 0) {
    toInsert = [];
    for (const entry of entries) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === entry[0]);
      if (!pair) {
        toInsert = [...toInsert, entry];
        continue;
      }
      const value = pair.value;
      if (!isScalar(value) || !value.range) return undefined;
      if (value.value === entry[1]) continue;
      if (!['PLAIN', 'QUOTE_SINGLE', 'QUOTE_DOUBLE'].includes(value.type ?? '')) return undefined;
      const scalar = scalarText(entry[1], value.type === 'QUOTE_SINGLE' ? 'single' : value.type === 'PLAIN' ? 'plain' : 'double');
      splices.push({ start: value.range[0], end: value.range[1], insert: scalar });
    }
  }
  if (toInsert.length === 0) return splices;

  if (node.flow || node.items.length === 0) {
    const open = node.range?.[0];
    if (open === undefined || text[open] !== '{') return undefined;
    const body = flowEntries(missingPath, toInsert);
    if (node.items.length === 0) {
      splices.push({ start: open + 1, end: open + 1, insert: body });
    } else {
      // keep a pretty-printed JSON/flow map pretty: a new line in the same indent as the next key
      const firstKey = node.items[0]!.key as Node | null;
      const keyStart = firstKey?.range?.[0];
      if (keyStart === undefined) return undefined;
      const gap = text.slice(open + 1, keyStart);
      const newline = gap.lastIndexOf('\n');
      splices.push(
        newline >= 0 && /^\s*$/.test(gap)
          ? { start: open + 1, end: open + 1, insert: `\n${gap.slice(newline + 1)}${body},` }
          : { start: open + 1, end: open + 1, insert: `${body}, ` },
      );
    }
    return splices;
  }

  const firstKey = node.items[0]!.key as Node | null;
  const keyStart = firstKey?.range?.[0];
  if (keyStart === undefined) return undefined;
  const keyLine = text.lastIndexOf('\n', keyStart - 1) + 1;
  const indent = text.slice(keyLine, keyStart);
  if (!/^ *$/.test(indent)) return undefined; // e.g. `- key:` inside a sequence item
  const lineStart = aboveLeadingComments(text, keyLine, indent);
  const step = ' '.repeat(indentStep(node, text, indent.length, parentKey));
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let insert = '';
  missingPath.forEach((key, i) => {
    insert += `${indent}${step.repeat(i)}${keyText(key)}:${eol}`;
  });
  const entryIndent = indent + step.repeat(missingPath.length);
  for (const [key, value] of toInsert) insert += `${entryIndent}${keyText(key)}: ${scalarText(value, 'plain')}${eol}`;
  splices.push({ start: lineStart, end: lineStart, insert });
  return splices;
}

/**
 * Splices that give an empty `key:` (its line holds only the key, the colon,
 * maybe `null` or `~`, and maybe a comment) the maps of `missingPath` and the entries, on new lines
 * below it, one indentation step deeper; undefined when the line holds more.
 */
function belowEmptyKey(
  text: string,
  key: Node | undefined,
  holder: YAMLMap,
  missingPath: string[],
  entries: readonly (readonly [string, string])[],
  holderKey: Node | undefined,
): Splice[] | undefined {
  const keyStart = key?.range?.[0];
  if (keyStart === undefined) return undefined;
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  const indent = text.slice(lineStart, keyStart);
  if (!/^ *$/.test(indent)) return undefined;
  let lineEnd = text.indexOf('\n', keyStart);
  if (lineEnd === -1) lineEnd = text.length;
  const rest = text.slice(key!.range![1], lineEnd).replace(/\r$/, '');
  const nullValue = /^(\s*:)(\s*)(null|Null|NULL|~)(\s*(#.*)?)$/.exec(rest);
  if (!nullValue && !/^\s*:\s*(#.*)?$/.test(rest)) return undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const step = ' '.repeat(indentStep(holder, text, indent.length, holderKey));
  let insert = lineEnd === text.length ? eol : '';
  missingPath.forEach((name, i) => {
    insert += `${indent}${step.repeat(i + 1)}${keyText(name)}:${eol}`;
  });
  const entryIndent = indent + step.repeat(missingPath.length + 1);
  for (const [name, value] of entries) insert += `${entryIndent}${keyText(name)}: ${scalarText(value, 'plain')}${eol}`;
  const at = lineEnd === text.length ? lineEnd : lineEnd + 1;
  const splices: Splice[] = [];
  if (nullValue) {
    // `key: null  # c` -> `key:  # c`: the null goes, the comment stays
    const valueAt = key!.range![1] + nullValue[1]!.length;
    splices.push({ start: valueAt, end: valueAt + nullValue[2]!.length + nullValue[3]!.length, insert: '' });
  }
  splices.push({ start: at, end: at, insert });
  return splices;
}

/** The key node of the pair at `path` (the key that holds the map at the end of the path), if any. */
function parentOf(doc: Document, path: (string | number)[]): Node | undefined {
  const { isMap, isSeq, isScalar } = yamlLib();
  let node: unknown = doc.contents;
  let key: Node | undefined;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === step);
      if (!pair) return undefined;
      key = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step];
      key = undefined;
    } else return undefined;
  }
  return key;
}

/** The document's indentation step: how far this map's keys sit from its parent key, or a child map from this map (default 2). */
function indentStep(map: YAMLMap, text: string, column: number, parentKey: Node | undefined): number {
  const { isMap } = yamlLib();
  const parentStart = parentKey?.range?.[0];
  if (parentStart !== undefined) {
    const parentColumn = parentStart - (text.lastIndexOf('\n', parentStart - 1) + 1);
    if (column > parentColumn) return column - parentColumn;
  }
  for (const pair of map.items) {
    const child = pair.value;
    if (isMap(child) && !child.flow) {
      const start = (child.items[0]?.key as Node | null)?.range?.[0];
      if (start === undefined) continue;
      const childColumn = start - (text.lastIndexOf('\n', start - 1) + 1);
      if (childColumn > column) return childColumn - column;
    }
  }
  return 2;
}

/** Moves up over comment lines (at the key's indent) directly above a key, so new keys go above its comment. */
function aboveLeadingComments(text: string, lineStart: number, indent: string): number {
  let start = lineStart;
  while (start > 0) {
    const previous = text.lastIndexOf('\n', start - 2) + 1;
    const line = text.slice(previous, start - 1);
    if (!line.startsWith(`${indent}#`) || previous === start) break;
    start = previous;
  }
  return start;
}

function flowEntries(path: string[], entries: readonly (readonly [string, string])[]): string {
  let body = entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ');
  for (let i = path.length - 1; i >= 0; i--) body = `${JSON.stringify(path[i])}: {${body}}`;
  return body;
}

/** A block-context key: plain when that reads back as the same string, double-quoted otherwise. */
function keyText(key: string): string {
  return scalarText(key, 'plain');
}

/** A scalar in the style asked for when go-yaml (and the yaml package) read it back as `value`, else double-quoted. */
function scalarText(value: string, style: 'plain' | 'single' | 'double'): string {
  if (style === 'plain' && isPlainSafe(value)) return value;
  if (style === 'single' && !/[\n\r]/.test(value) && !needsEscapes(value)) return `'${value.replace(/'/g, "''")}'`;
  return escapeForGoYaml(JSON.stringify(value));
}

function isPlainSafe(value: string): boolean {
  const { parse } = yamlLib();
  if (!/^[A-Za-z0-9_.\/-]+$/.test(value) || /^[-.]/.test(value) || plainMisreads(value)) return false;
  try {
    return parse(value, QUIET_PARSE) === value;
  } catch {
    return false;
  }
}
