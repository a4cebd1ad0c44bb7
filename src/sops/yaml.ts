/**
 * YAML to the sops tree, resolving plain scalars as gopkg.in/yaml.v3 does
 * when sops decodes a node into interface{}: `~`/null, true/false (any case
 * form), ints in any base with `_` separators, YAML floats, .inf/.nan, and
 * everything else (timestamps included) a string. Comments become items so
 * that encrypted comments can be decrypted and re-printed.
 */
import type { Document, Node as YamlNode } from 'yaml';
import { KsecError } from '../errors.js';
import { MAX_ALIAS_COUNT, MAX_NESTING, QUIET_PARSE, isStackOverflow, valueShape, yamlLib, yamlProblem } from '../manifest/yaml-lib.js';
import { normalizeRfc3339 } from './values.js';
import type { SopsComment, SopsMap, SopsNode, SopsScalar } from './tree.js';

export interface YamlDocuments {
  /** one tree per document, the `sops` key removed */
  branches: SopsMap[];
  /** the `sops` metadata of the first document, as plain data */
  metadata: unknown;
}

const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 0, 64) on the text with `_` removed; undefined if not an int. */
function parseGoInt(text: string): bigint | 'overflow' | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return undefined;
  const [, sign, body] = m;
  let n: bigint;
  if (/^0[oO]/.test(body!)) n = BigInt('0o' + body!.slice(2));
  else if (/^0[0-7]+$/.test(body!)) n = BigInt('0o' + body!.slice(1));
  else n = BigInt(body!);
  if (sign === '-') n = -n;
  return n < INT64_MIN || n > INT64_MAX ? 'overflow' : n;
}

/** A plain scalar's type and value, as yaml.v3 resolves it into interface{}. */
export function resolvePlain(text: string, line?: number): SopsScalar {
  switch (text) {
    case '':
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return { kind: 'null', line };
    case 'true':
    case 'True':
    case 'TRUE':
      return { kind: 'bool', value: true, line };
    case 'false':
    case 'False':
    case 'FALSE':
      return { kind: 'bool', value: false, line };
    case '.inf':
    case '.Inf':
    case '.INF':
    case '+.inf':
    case '+.Inf':
    case '+.INF':
      return { kind: 'float', value: Infinity, line };
    case '-.inf':
    case '-.Inf':
    case '-.INF':
      return { kind: 'float', value: -Infinity, line };
    case '.nan':
    case '.NaN':
    case '.NAN':
      return { kind: 'float', value: NaN, line };
  }
  if (/^[0-9]/.test(text)) {
    const time = /^[0-9]{4}-/.test(text) ? normalizeRfc3339(text) : undefined;
    if (time !== undefined) return { kind: 'time', value: time, line };
  }
  if (/^[-+0-9.]/.test(text)) {
    const plain = text.replace(/_/g, '');
    const n = parseGoInt(plain);
    if (n === 'overflow') {
      throw new KsecError('an integer does not fit in 64 bits, which sops cannot handle', { hint: 'quote it to make it a string' });
    }
    if (n !== undefined) return { kind: 'int', value: n.toString(), line };
    if (FLOAT.test(plain)) return { kind: 'float', value: Number(plain), line };
  }
  return { kind: 'str', value: text, line };
}

export function parseYamlTree(text: string, file: string): YamlDocuments {
  const { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments } = yamlLib();
  const lineCounter = new LineCounter();
  let docs;
  try {
    docs = parseAllDocuments(text, { ...QUIET_PARSE, lineCounter, keepSourceTokens: false, merge: false, uniqueKeys: false });
  } catch (err) {
    if (isStackOverflow(err)) throw new KsecError(`invalid YAML: nesting too deep (more than ${MAX_NESTING} levels)`, { file, hint: 'fix the YAML syntax' });
    throw err;
  }
  const list = (Array.isArray(docs) ? docs : [docs]) as Document.Parsed[];
  const lineOf = (node: YamlNode | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : undefined);
  const branches: SopsMap[] = [];
  let metadata: unknown;
  list.forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      const pos = lineCounter.linePos(error.pos[0]);
      throw new KsecError(`invalid YAML at line ${pos.line}, column ${pos.col}: ${yamlProblem(error)}`, { file, hint: 'fix the YAML syntax' });
    }
    // A comment before a sequence item is kept once, in the sequence, before the item; the
    // item's own node (a map or sequence) does not repeat it.
    // aliases and nesting are bounded: a nested-alias bomb expands to millions of nodes, a
    // self-referencing alias forever, and thousands of levels would overflow the stack
    let aliases = 0;
    const open = new Set<unknown>();
    const convert = (node: unknown, seqItem = false): SopsNode => {
      if (isAlias(node)) {
        const target = node.resolve(doc);
        const where = `at line ${lineOf(node) ?? '?'}`;
        if (target === undefined) throw new KsecError(`invalid YAML ${where}: an alias names no anchor before it`, { file, hint: 'fix the YAML' });
        if (open.has(target)) throw new KsecError(`invalid YAML ${where}: an alias refers to a node that contains it`, { file, hint: 'fix the YAML' });
        if (++aliases > MAX_ALIAS_COUNT) throw new KsecError(`invalid YAML ${where}: too many aliases (an alias bomb?)`, { file, hint: 'fix the YAML' });
        return convert(target, seqItem);
      }
      if (!isMap(node) && !isSeq(node)) return convertNode(node, seqItem);
      if (open.size >= MAX_NESTING) {
        throw new KsecError(`invalid YAML at line ${lineOf(node as YamlNode) ?? '?'}: nesting too deep (more than ${MAX_NESTING} levels)`, { file, hint: 'fix the YAML' });
      }
      open.add(node);
      try {
        return convertNode(node, seqItem);
      } finally {
        open.delete(node);
      }
    };
    const convertNode = (node: unknown, seqItem: boolean): SopsNode => {
      if (isMap(node)) return convertMap(node.items as unknown[], seqItem ? { comment: node.comment } : node);
      if (isSeq(node)) {
        const items: (SopsNode | SopsComment)[] = [];
        if (!seqItem) pushComments(items, node.commentBefore, lineOf(node));
        for (const item of node.items as YamlNode[]) {
          pushComments(items, item?.commentBefore, lineOf(item));
          if (isScalar(item)) pushComments(items, item.comment, lineOf(item));
          items.push(convert(item, true));
        }
        pushComments(items, node.comment, undefined);
        return { kind: 'seq', items };
      }
      if (isScalar(node)) return scalarOf(node, lineOf(node), file);
      if (node === null || node === undefined) return { kind: 'null' };
      throw new KsecError('unsupported YAML node', { file });
    };
    const convertMap = (pairs: unknown[], owner: { commentBefore?: string | null; comment?: string | null } | undefined): SopsMap => {
      const items: SopsMap['items'] = [];
      pushComments(items, owner?.commentBefore, undefined);
      for (const pair of pairs) {
        if (!isPair(pair)) continue;
        const key = pair.key as YamlNode | null;
        const value = pair.value as YamlNode | null;
        pushComments(items, key?.commentBefore, lineOf(key));
        pushComments(items, key?.comment, lineOf(key));
        if (isScalar(value) || isAlias(value)) {
          pushComments(items, value.commentBefore, lineOf(value));
          pushComments(items, value.comment, lineOf(value));
        }
        const keyText = isScalar(key) ? String(key.source ?? key.value ?? '') : key === null ? '' : String(key);
        items.push({ kind: 'item', key: keyText, value: convert(value), line: lineOf(key) });
      }
      pushComments(items, owner?.comment, undefined);
      return { kind: 'map', items };
    };
    const contents = doc.contents;
    let branch: SopsMap;
    if (contents === null || (isScalar(contents) && contents.value === null)) {
      branch = { kind: 'map', items: [] };
    } else if (isMap(contents)) {
      branch = convert(contents) as SopsMap;
    } else {
      throw new KsecError(`document ${index + 1} is not a map: sops supports only map documents`, { file });
    }
    const start: SopsMap['items'] = [];
    pushComments(start, doc.commentBefore, undefined);
    branch.items.unshift(...start);
    pushComments(branch.items, doc.comment, undefined);
    const sopsAt = branch.items.findIndex((i) => i.kind === 'item' && i.key === 'sops');
    if (sopsAt >= 0) {
      if (metadata === undefined) {
        const node = (contents as import('yaml').YAMLMap).get('sops', true) as YamlNode | undefined;
        try {
          metadata = isMap(node) || isSeq(node) ? node.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT }) : isScalar(node) ? node.toJSON() : node;
        } catch {
          throw new KsecError('invalid YAML in the sops metadata: an alias that cannot be resolved', { file, hint: 'the metadata block is damaged' });
        }
        if (valueShape(metadata) !== undefined) throw new KsecError(`the sops metadata nests deeper than ${MAX_NESTING} levels, or contains itself`, { file, hint: 'the metadata block is damaged' });
      }
      branch.items.splice(sopsAt, 1);
    }
    branches.push(branch);
  });
  return { branches, metadata };
}

function pushComments(items: unknown[], text: string | null | undefined, line: number | undefined): void {
  if (!text) return;
  for (const part of text.split('\n')) {
    if (part.trim() === '') continue;
    const comment: SopsComment = { kind: 'comment', value: part, line };
    items.push(comment);
  }
}

function scalarOf(node: import('yaml').Scalar, line: number | undefined, file: string): SopsScalar {
  const source = typeof node.source === 'string' ? node.source : String(node.value ?? '');
  const tag = node.tag;
  if (tag && tag !== 'tag:yaml.org,2002:str' && node.type !== 'PLAIN') {
    // explicitly tagged quoted scalars: resolve through the tag
    return resolvePlain(source, line);
  }
  if (tag === 'tag:yaml.org,2002:str') return { kind: 'str', value: source, line };
  if (tag === 'tag:yaml.org,2002:binary') return { kind: 'str', value: Buffer.from(source.replace(/\s/g, ''), 'base64').toString('utf8'), line };
  if (tag === 'tag:yaml.org,2002:timestamp') {
    throw new KsecError('an explicit !!timestamp value is not supported by sops', { file, hint: 'remove the tag' });
  }
  if (node.type === 'PLAIN' || node.type === undefined) {
    try {
      return resolvePlain(source, line);
    } catch (err) {
      throw err instanceof KsecError ? err.within({ file }) : err;
    }
  }
  return { kind: 'str', value: source, line };
}
