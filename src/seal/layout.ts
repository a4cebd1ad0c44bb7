/**
 * SealedSecrets printed the way kubeseal v0.36 prints them, so a diff between
 * ksec's and kubeseal's output shows only the ciphertexts:
 *
 * - JSON: Go's json.MarshalIndent of the typed object (two spaces, struct
 *   field order, map keys sorted, `<`, `>`, `&` escaped) plus a newline.
 * - YAML: `---` then sigs.k8s.io/yaml output: go-yaml v2 with every key
 *   sorted (its "natural" order), its scalar styles (YAML 1.1 ambiguity ->
 *   double quotes, unsafe plain -> single quotes), its folding past column
 *   80, sequences not indented.
 *
 * Checked against kubeseal v0.36.6 on randomly generated metadata (see the
 * e2e tests). No `creationTimestamp: null` is printed (it fails the CRD
 * schema; sealed-secrets #1320).
 */
import type { Document } from 'yaml';
import { goJsonMarshalIndent } from '../go/json.js';
import { sortedGoKeys } from '../go/strings.js';
import { sortKeysDeep } from '../go/yaml-key-order.js';
import { readsAsOtherType } from '../go/yaml-scalar.js';
import type { ManifestFormat } from '../manifest/read.js';
import { isRecord } from '../manifest/objects.js';
import { yamlLib } from '../manifest/yaml-lib.js';
import { emitGoYaml } from './go-yaml-emit.js';
import { OBJECT_META_FIELDS } from './object-meta.js';

export { goYamlKeyLess } from '../go/yaml-key-order.js';

const SEALED_SECRET_ORDER = ['kind', 'apiVersion', 'metadata', 'spec', 'status'];
const SPEC_ORDER = ['template', 'data', 'encryptedData'];
const TEMPLATE_ORDER = ['metadata', 'type', 'immutable', 'data'];

export function renderSealedSecrets(objects: unknown[], format: ManifestFormat): string {
  return objects.map((o) => (format === 'json' ? renderSealedSecretJson(o) : renderSealedSecretYaml(o))).join('');
}

export function renderSealedSecretJson(obj: unknown): string {
  return goJsonMarshalIndent(structOrder(obj)) + '\n';
}

export function renderSealedSecretYaml(obj: unknown): string {
  const sorted = sortKeysDeep(obj);
  return emitGoYaml(sorted) ?? renderWithYamlLib(sorted);
}

/** The general renderer (the `yaml` package, loaded only here): every shape and scalar emitGoYaml declines. */
export function renderWithYamlLib(sorted: unknown): string {
  const { Document, visit } = yamlLib();
  const doc = new Document(null, { version: '1.1' });
  doc.contents = nodeOf(doc, sorted);
  // go-yaml double-quotes a string that would read back as another type, and
  // single-quotes (where it can) one that is only unsafe as a plain scalar.
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value !== 'string') return;
      if (readsAsOtherType(node.value) || needsDoubleQuotes(node.value)) node.type = 'QUOTE_DOUBLE';
      // the yaml library avoids single quotes around a `'`; go-yaml does not
      else if (node.value.includes("'") && !node.value.includes('\n') && !plainAllowed(node.value)) node.type = 'QUOTE_SINGLE';
    },
  });
  const text = doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: false, singleQuote: true, blockQuote: 'literal', doubleQuotedAsJSON: true });
  let blockIndent = -1; // inside a literal block scalar: its lines are never folded
  const lines = text.split('\n').map((line) => {
    const indent = line.length - line.trimStart().length;
    if (blockIndent >= 0 && (indent > blockIndent || line.trim() === '')) return line;
    blockIndent = /: \|[-+]?\d*$|^\s*- \|[-+]?\d*$/.test(line) ? indent : -1;
    return foldLikeGoYaml(line);
  });
  return '---\n' + lines.join('\n');
}

/** A yaml node tree from sortKeysDeep's Maps (which a 1.1 Document would otherwise print as `!!omap`). */
function nodeOf(doc: Document, value: unknown): ReturnType<Document['createNode']> {
  const { Pair, YAMLMap, YAMLSeq } = yamlLib();
  if (value instanceof Map) {
    const map = new YAMLMap(doc.schema);
    for (const [k, v] of value) if (v !== undefined) map.items.push(new Pair(doc.createNode(k), nodeOf(doc, v)));
    return map;
  }
  if (Array.isArray(value)) {
    const seq = new YAMLSeq(doc.schema);
    for (const v of value) seq.items.push(nodeOf(doc, v ?? null));
    return seq;
  }
  return doc.createNode(value);
}

/**
 * go-yaml's line folding of a one-line scalar value: at a single space, once
 * the column is past 80, the space becomes a line break plus the key's
 * indentation + 2 (a folded flow scalar reads back the same).
 */
function foldLikeGoYaml(line: string): string {
  if ([...line].length <= 81) return line;
  const m = /^(\s*)(- )?/.exec(line)!;
  const indent = m[1]!.length + (m[2] ? 2 : 0);
  const valueAt = scalarStart(line, indent);
  if (valueAt < 0) return line;
  const first = line[valueAt];
  if (first === '|' || first === '>' || first === '{' || first === '[') return line;
  const quoted = first === "'" || first === '"';
  const chars = [...line];
  const start = [...line.slice(0, valueAt)].length;
  const pad = ' '.repeat(indent + 2);
  let out = chars.slice(0, start).join('');
  let column = start;
  for (let i = start; i < chars.length; i++) {
    const c = chars[i]!;
    const prevSpace = i > start && chars[i - 1] === ' ';
    const next = chars[i + 1];
    const inner = !quoted || (i > start + 1 && i < chars.length - 2);
    const breakable = c === ' ' && !prevSpace && column > 80 && inner && (first === '"' || next !== ' ');
    if (breakable) {
      out += '\n' + pad + (first === '"' && next === ' ' ? '\\' : '');
      column = pad.length + (first === '"' && next === ' ' ? 1 : 0);
    } else {
      out += c;
      column++;
    }
  }
  return out;
}

/** Index where the value of `key: value` (or of a `- value` item) starts, or -1. */
function scalarStart(line: string, at: number): number {
  let i = at;
  if (line[i] === '"' || line[i] === "'") {
    const q = line[i]!;
    for (i++; i < line.length; i++) {
      if (q === '"' && line[i] === '\\') i++;
      else if (line[i] === q) {
        if (q === "'" && line[i + 1] === "'") i++;
        else break;
      }
    }
    return line.startsWith(': ', i + 1) ? i + 3 : -1;
  }
  if (/^\s*- /.test(line) && line.indexOf(': ', at) < 0) return at;
  const colon = line.indexOf(': ', at);
  return colon < 0 ? -1 : colon + 2;
}

/** go-yaml's analyze_scalar: non-printable characters, or a multi-line value with a space before a break or at the end. */
function needsDoubleQuotes(s: string): boolean {
  if (/[^\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]|\ufeff/u.test(s)) return true;
  return s.includes('\n') && (/ \n/.test(s) || / $/.test(s));
}

/** go-yaml's block-context plain scalar rules for a one-line string. */
function plainAllowed(s: string): boolean {
  if (s === '' || s.startsWith(' ') || s.endsWith(' ')) return false;
  if (/^[#&*!|>'"%@`]/.test(s) || /^[-?:](\s|$)/.test(s)) return false;
  return !/: |:$| #/.test(s);
}

/** Key order of Go's structs for a SealedSecret; maps (labels, annotations, data) sorted. */
function structOrder(obj: unknown): unknown {
  if (!isRecord(obj)) return obj;
  const out = ordered(obj, SEALED_SECRET_ORDER);
  if (isRecord(out.metadata)) out.metadata = meta(out.metadata);
  if (isRecord(out.spec)) {
    const spec = ordered(out.spec, SPEC_ORDER);
    if (isRecord(spec.template)) {
      const template = ordered(spec.template, TEMPLATE_ORDER);
      if (isRecord(template.metadata)) template.metadata = meta(template.metadata);
      if (isRecord(template.data)) template.data = sortedMap(template.data);
      spec.template = template;
    }
    if (isRecord(spec.encryptedData)) spec.encryptedData = sortedMap(spec.encryptedData);
    out.spec = spec;
  }
  return out;
}

function meta(m: Record<string, unknown>): Record<string, unknown> {
  const out = ordered(m, OBJECT_META_FIELDS);
  if (isRecord(out.labels)) out.labels = sortedMap(out.labels);
  if (isRecord(out.annotations)) out.annotations = sortedMap(out.annotations);
  return out;
}

function ordered(obj: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of order) if (k in obj) out[k] = obj[k];
  for (const k of Object.keys(obj)) if (!(k in out)) out[k] = obj[k];
  return out;
}

/**
 * Go's encoding/json sorts map keys by bytes. A Map, because a plain object
 * would list integer-like keys ("9", "10") first whatever order they went in.
 */
function sortedMap(obj: Record<string, unknown>): Map<string, unknown> {
  return new Map(sortedGoKeys(Object.keys(obj)).map((k) => [k, obj[k]]));
}
