/**
 * A parsed YAML document's value as the cluster reads it: go-yaml v2 under
 * sigs.k8s.io/yaml's YAMLToJSONStrict (what kubectl and the API server use),
 * built from the `yaml` package's syntax tree instead of its YAML 1.2 toJS.
 *
 * - Plain scalars resolve by YAML 1.1 as go-yaml does (src/go/yaml11-resolve.ts):
 *   `yes`/`on`/`y` are true, `010` is 8, `1_000` 1000. Quoted and block
 *   scalars are strings. Tags: `!!str`, `!!int`, `!!bool`, `!!float`,
 *   `!!null`, `!!timestamp` as go-yaml resolves them, `!!binary` decoded from
 *   base64, any other tag leaves the text.
 * - Map keys become JSON keys as sigs.k8s.io/yaml makes them (`on` is
 *   "true", `1.5e10` "1.5e+10"); null keys, collection keys and integer keys
 *   from 2^63 on are refused, as there.
 * - A key set twice is refused, also through merge keys (`<<`), as go-yaml's
 *   strict mode does; so are two keys that become the same JSON key (`1` and
 *   `'1'`), where sigs.k8s.io/yaml would keep one of them at random.
 * - `.inf` and `.nan` values are refused (JSON has no such numbers).
 * - Raw NEL, U+2028 and U+2029 are line breaks to go-yaml: they are refused
 *   where that changes the reading (plain and block scalars, next to spaces in
 *   quoted ones, before more text on a comment's line).
 *
 * Problems are thrown as YamlValueProblem: a message with no input text in it
 * (a manifest may hold a secret) and the offset of the node.
 */
import type { Document, Node, Pair, Scalar } from 'yaml';
import { GO_TAGS, goKeyString, goScalarValue, resolveGoPlain, resolveGoTagged, type GoScalar } from '../go/yaml11-resolve.js';
import { MAX_ALIAS_COUNT, yamlLib } from './yaml-lib.js';

export class YamlValueProblem extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly hint: string,
  ) {
    super(message);
  }
}

const QUOTE_KEY_HINT = 'write the key as a string: quote it if it is ~, null or starts with [ or {';

/** NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR: line breaks in YAML 1.1. */
const LINE_BREAK_CHARS = /[\u0085\u2028\u2029]/g;
const HAS_LINE_BREAK_CHAR = /[\u0085\u2028\u2029]/;

/**
 * The characters go-yaml's reader refuses anywhere in a stream ("control
 * characters are not allowed"): C0 controls but tab, LF and CR; DEL; C1
 * controls but NEL; U+FFFE, U+FFFF; unpaired surrogates.
 */
const NOT_ALLOWED = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The offset of the first character go-yaml's reader refuses, if any. */
export function notAllowedCharAt(text: string): number | undefined {
  const m = NOT_ALLOWED.exec(text);
  return m ? m.index : undefined;
}

/** The problem of a character notAllowedCharAt found, and what to do about it. */
export function notAllowedCharProblem(text: string, offset: number): YamlValueProblem {
  const code = text.codePointAt(offset)!;
  const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return new YamlValueProblem(`a raw control character (${name}), which kubectl refuses`, offset, `write it as an escape inside double quotes ("\\x..", "\\u....") or remove it`);
}

interface Context {
  doc: Document.Parsed;
  text: string;
  /** aliases being expanded (an alias inside its own anchor) */
  expanding: Set<Node>;
  aliases: number;
  /** source ranges of quoted scalars whose raw line-break characters read the same in go-yaml */
  quotedBreaks: [number, number][];
  /** how many flow collections (`{}`, `[]`) the current node is in */
  flow: number;
}

/**
 * The document's value as sigs.k8s.io/yaml.YAMLToJSONStrict gives it (then
 * read back by JSON.parse). `text` is the stream the document was parsed
 * from (its node ranges are offsets into it).
 */
export function clusterValue(doc: Document.Parsed, text: string): unknown {
  const ctx: Context = { doc, text, expanding: new Set(), aliases: 0, quotedBreaks: [], flow: 0 };
  const value = nodeValue(doc.contents as Node | null, ctx, doc.contents?.range?.[0] ?? doc.range[0]);
  const [start, end] = [doc.range[0], doc.range[2]];
  if (HAS_LINE_BREAK_CHAR.test(text.slice(start, end))) checkLineBreakChars(text, start, end, ctx.quotedBreaks);
  return value;
}

function nodeValue(node: Node | null | undefined, ctx: Context, at: number): unknown {
  const { isAlias, isMap, isScalar, isSeq } = yamlLib();
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return nodeValueOfAlias(node, ctx, node.range?.[0] ?? at);
  if (isScalar(node)) {
    const r = scalar(node, ctx);
    if (r.kind === 'float' && !Number.isFinite(r.value)) {
      throw new YamlValueProblem('a value of .inf or .nan, which JSON (and so kubectl) cannot carry', node.range?.[0] ?? at, 'quote it if it is text');
    }
    return goScalarValue(r);
  }
  if (isSeq(node) || isMap(node)) {
    if (node.flow) ctx.flow++;
    try {
      if (isSeq(node)) return node.items.map((item) => nodeValue(item as Node | null, ctx, (item as Node | null)?.range?.[0] ?? at));
      return mapValue(node.items as Pair<Node | null, Node | null>[], ctx, node.range?.[0] ?? at, !node.flow);
    } finally {
      if (node.flow) ctx.flow--;
    }
  }
  return null;
}

/** Wraps an alias expansion: counts it, refuses an alias inside its own anchor. */
function aliasTarget(alias: Node, ctx: Context): Node {
  const { isAlias } = yamlLib();
  if (!isAlias(alias)) return alias;
  const target = alias.resolve(ctx.doc) as Node | undefined;
  const at = alias.range?.[0] ?? 0;
  if (!target) throw new YamlValueProblem('an alias names no anchor before it', at, 'fix the YAML (aliases, merge keys)');
  if (++ctx.aliases > MAX_ALIAS_COUNT) throw new YamlValueProblem('too many aliases (an alias bomb?)', at, 'fix the YAML (aliases, merge keys)');
  return target;
}

function nodeValueOfAlias(node: Node, ctx: Context, at: number): unknown {
  const target = aliasTarget(node, ctx);
  if (ctx.expanding.has(target)) throw new YamlValueProblem('an alias refers to a node that contains it', at, 'fix the YAML (aliases)');
  ctx.expanding.add(target);
  try {
    return nodeValue(target, ctx, at);
  } finally {
    ctx.expanding.delete(target);
  }
}

/** How go-yaml resolves one scalar node (plain untagged: YAML 1.1; quoted or block: a string; tagged: by its tag). */
function scalar(node: Scalar, ctx: Context, isKey = false): GoScalar {
  // `source`: the scalar's text after unescaping and folding, before the yaml package resolved it
  let source = typeof node.source === 'string' ? node.source : String(node.value ?? '');
  const type = node.type;
  // [start, end): the scalar itself (range[2] would take a comment after it)
  const [start, end] = node.range ?? [0, 0];
  if (HAS_LINE_BREAK_CHAR.test(ctx.text.slice(start, end))) {
    const raw = ctx.text.slice(start, end);
    const quoted = type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE';
    // go-yaml folds them like line breaks: taken where that is read the same here (a one-line quoted value)
    if (!quoted || isKey || /[\r\n]/.test(raw) || (type === 'QUOTE_DOUBLE' && raw.includes('\\'))) {
      throw lineBreakProblem(ctx.text, start + raw.search(HAS_LINE_BREAK_CHAR));
    }
    source = foldLineBreakChars(source);
    ctx.quotedBreaks.push([start, end]);
  }
  if (type === 'PLAIN' && ctx.flow > 0 && source.includes('?')) {
    throw new YamlValueProblem('a ? inside a plain value in a flow collection ([...] or {...}), which kubectl reads as a key indicator', start + Math.max(0, ctx.text.slice(start, end).indexOf('?')), 'quote the value');
  }
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
    const bad = blockIndentTabAt(ctx.text, start, end);
    if (bad !== undefined) throw new YamlValueProblem('a tab where a block scalar\'s indentation is expected, which kubectl refuses', bad, 'indent block scalar lines with spaces');
  }
  if (type === 'QUOTE_DOUBLE') {
    const bad = badEscapeAt(ctx.text.slice(start, end));
    if (bad !== undefined) {
      throw new YamlValueProblem('an escape sequence go-yaml refuses (\\/, or \\u of a surrogate such as \\ud800)', start + bad, 'write the character itself, or \\U and its full code point');
    }
  }
  const tag = node.tag;
  if (tag === undefined || tag === '') {
    return type === 'PLAIN' ? resolveGoPlain(source) : { kind: 'str', value: source };
  }
  if (tag === GO_TAGS.binary) return { kind: 'str', value: decodeBinary(source, start) };
  try {
    return resolveGoTagged(tag, source);
  } catch (err) {
    throw new YamlValueProblem((err as Error).message, start, 'remove the tag or fix the value');
  }
}

/**
 * The offset of a tab that go-yaml reads where a block scalar's indentation
 * is expected: after the leading spaces of its first content line (the
 * indentation is not known yet), or of a later line less indented than it.
 */
function blockIndentTabAt(text: string, start: number, end: number): number | undefined {
  const header = /^[|>][-+0-9]*/.exec(text.slice(start, end))?.[0] ?? '';
  const explicit = /[1-9]/.exec(header)?.[0];
  let lineStart = text.indexOf('\n', start);
  let indent = -1;
  if (explicit !== undefined) {
    // an indentation indicator counts from the parent's: the column of the scalar's line start
    const parentIndent = /^ */.exec(text.slice(text.lastIndexOf('\n', start - 1) + 1))![0].length;
    indent = parentIndent + Number(explicit);
  }
  while (lineStart !== -1 && lineStart < end) {
    const from = lineStart + 1;
    let i = from;
    while (text.charCodeAt(i) === 32) i++;
    const spaces = i - from;
    const c = text.charCodeAt(i);
    if (c === 9 && (indent < 0 || spaces < indent)) return i;
    if (indent < 0 && c !== 10 && c !== 13 && i < end) indent = spaces;
    lineStart = text.indexOf('\n', from);
  }
  return undefined;
}

/**
 * The offset of the first escape in a double-quoted scalar's source that
 * go-yaml refuses and the yaml package takes: `\/` (YAML 1.2 only) and a
 * surrogate code (go-yaml never pairs `\ud83d\ude00`).
 */
function badEscapeAt(raw: string): number | undefined {
  const escapes = /\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[\s\S])/g;
  for (let m = escapes.exec(raw); m; m = escapes.exec(raw)) {
    const e = m[1]!;
    if (e === '/') return m.index;
    if (e.length > 1 && parseInt(e.slice(1), 16) >= 0xd800 && parseInt(e.slice(1), 16) <= 0xdfff) return m.index;
  }
  return undefined;
}

/** go-yaml's `!!binary`: base64.StdEncoding (padding required; line breaks skipped), as text. */
function decodeBinary(source: string, at: number): string {
  const b64 = source.replace(/[\r\n]/g, '');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) {
    throw new YamlValueProblem('a !!binary value that is not valid base64', at, 'fix the base64 text');
  }
  return Buffer.from(b64, 'base64').toString('utf8');
}

/** A mapping's value: keys as sigs.k8s.io/yaml makes them; merge keys expanded; any key set twice refused. */
function mapValue(pairs: Pair<Node | null, Node | null>[], ctx: Context, at: number, block = false): Record<string, unknown> {
  const { isAlias, isCollection, isScalar } = yamlLib();
  const out: Record<string, unknown> = {};
  const set = (name: string, value: unknown, where: number) => {
    if (Object.hasOwn(out, name)) {
      throw new YamlValueProblem('a key set twice in one map (directly, through a merge key, or as two spellings of one key such as 1 and "1")', where, 'remove one of them');
    }
    Object.defineProperty(out, name, { value, writable: true, enumerable: true, configurable: true });
  };
  for (const pair of pairs) {
    const keyNode = pair.key;
    const keyAt = keyNode?.range?.[0] ?? pair.value?.range?.[0] ?? at;
    if (isScalar(keyNode) && keyNode.type === 'PLAIN' && keyNode.source === '<<' && (keyNode.tag === undefined || keyNode.tag === GO_TAGS.merge)) {
      for (const source of mergeSources(pair.value, ctx, keyAt)) {
        for (const [name, value] of Object.entries(source.value)) set(name, value, source.at);
      }
      continue;
    }
    if (block && keyNode?.range && splitImplicitKey(ctx.text, keyNode.range[0], keyNode.range[1])) {
      throw new YamlValueProblem('a key whose colon is on a later line, which kubectl refuses', keyAt, 'put the key and its colon on one line');
    }
    let key: Node | null = keyNode;
    if (isAlias(key)) key = aliasTarget(key, ctx);
    const nullOrCollection = () => new YamlValueProblem('a map key that is null or a collection, which kubectl refuses', keyAt, QUOTE_KEY_HINT);
    if (key === null || isCollection(key) || !isScalar(key)) throw nullOrCollection();
    const resolved = scalar(key, ctx, true);
    const name = goKeyString(resolved);
    if (name === undefined && resolved.kind === 'null') throw nullOrCollection();
    if (name === undefined) throw new YamlValueProblem('a map key that is an integer of 2^63 or more, which kubectl refuses', keyAt, 'quote the key');
    set(name, nodeValue(pair.value, ctx, keyAt), keyAt);
  }
  return out;
}

/**
 * Whether a block mapping's implicit key (not `? key`) ends on a line before
 * its `:`: go-yaml finds no `:` for such a key (the yaml package takes it).
 */
function splitImplicitKey(text: string, start: number, end: number): boolean {
  let i = end;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (text.charCodeAt(i) === 58 /* : */) return false;
  // an explicit key: `?` before it on its line
  let j = start - 1;
  while (j >= 0 && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j--;
  return text.charCodeAt(j) !== 63;
}

/** The maps a merge key's value names: a map, an alias of one, or a sequence of those (earlier ones first, as go-yaml merges them last). */
function mergeSources(node: Node | null, ctx: Context, at: number): { value: Record<string, unknown>; at: number }[] {
  const { isAlias, isMap, isSeq } = yamlLib();
  const fail = () => new YamlValueProblem('a merge key (<<) whose value is not a map or a list of maps', at, 'merge only maps: <<: *anchor or <<: [*a, *b]');
  const one = (n: Node | null): { value: Record<string, unknown>; at: number } => {
    const target = isAlias(n) ? aliasTarget(n, ctx) : n;
    if (!isMap(target)) throw fail();
    return { value: nodeValue(n, ctx, at) as Record<string, unknown>, at: n?.range?.[0] ?? at };
  };
  if (isSeq(node)) return node.items.map((n) => one(n as Node | null)).reverse();
  return [one(node)];
}

/**
 * A quoted scalar's raw NEL/LS/PS as go-yaml (libyaml) folds line breaks:
 * spaces around a run of breaks go; a run starting with NEL (read as LF) is
 * one space when alone, else its later breaks; LS/PS stay themselves.
 */
function foldLineBreakChars(value: string): string {
  return value.replace(/[ \t]*((?:[\u0085\u2028\u2029][ \t]*)+)/g, (_m, run: string) => {
    const breaks = run.replace(/[ \t]/g, '').split('').map((c) => (c === '\u0085' ? '\n' : c));
    const [leading, ...trailing] = breaks;
    if (leading === '\n') return trailing.length === 0 ? ' ' : trailing.join('');
    return leading + trailing.join('');
  });
}

function lineBreakProblem(text: string, at: number): YamlValueProblem {
  const code = text.charCodeAt(at);
  const name = code === 0x85 ? 'U+0085 (next line)' : code === 0x2028 ? 'U+2028 (line separator)' : 'U+2029 (paragraph separator)';
  const esc = code === 0x85 ? '\\N' : code === 0x2028 ? '\\L' : '\\P';
  return new YamlValueProblem(`a raw ${name}, which kubectl reads as a line break`, at, `write it as ${esc} inside double quotes`);
}

/**
 * Raw NEL/LS/PS outside the quoted scalars that read the same (a comment,
 * between tokens): go-yaml breaks the line there, which changes nothing only
 * when the rest of the line is blank.
 */
function checkLineBreakChars(text: string, start: number, end: number, ok: [number, number][]): void {
  LINE_BREAK_CHARS.lastIndex = start;
  for (let m = LINE_BREAK_CHARS.exec(text); m && m.index < end; m = LINE_BREAK_CHARS.exec(text)) {
    const i = m.index;
    if (ok.some(([s, e]) => i >= s && i < e)) continue;
    let eol = text.indexOf('\n', i);
    if (eol === -1) eol = text.length;
    if (!/^[ \t\r\u0085\u2028\u2029]*$/.test(text.slice(i + 1, eol))) throw lineBreakProblem(text, i);
  }
}
