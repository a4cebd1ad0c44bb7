/**
 * SealedSecrets printed the way kubeseal v0.36.6 prints them, so a diff between
 * ksec's and kubeseal's output shows only the ciphertexts:
 *
 * - JSON: Go's json.MarshalIndent of the typed object (two spaces, struct
 *   field order, map keys sorted, `<`, `>`, `&` escaped, lone surrogates as
 *   U+FFFD) plus a newline.
 * - YAML: `---` then what apimachinery's YAML serializer makes of it:
 *   json.Marshal, read back by go-yaml v2 (sigs.k8s.io/yaml JSONToYAML; see
 *   goYamlReadsJsonString), then go-yaml v2's Marshal (go-yaml-emit.ts: keys
 *   in its "natural" order, its scalar styles and escapes, folding past
 *   column 80, sequences not indented).
 *
 * Checked against kubeseal v0.36.6 on thousands of generated Secrets
 * (test/e2e/seal/kubeseal-bytes.test.ts). No `creationTimestamp` is printed
 * (apimachinery >= 0.34 omits a zero one).
 */
import { KsecError } from '../errors.js';
import { GoRawJson, goJsonMarshalIndent, goJsonString } from '../go/json.js';
import { sortedGoKeys, toWellFormed } from '../go/strings.js';
import { goYamlKeyLess } from '../go/yaml-key-order.js';
import type { ManifestFormat } from '../manifest/read.js';
import { isRecord, objectRef } from '../manifest/objects.js';
import { goYamlV2Marshal } from './go-yaml-emit.js';
import { OBJECT_META_FIELDS } from './object-meta.js';

export { goYamlKeyLess } from '../go/yaml-key-order.js';

const SEALED_SECRET_ORDER = ['kind', 'apiVersion', 'metadata', 'spec', 'status'];
const SPEC_ORDER = ['template', 'data', 'encryptedData'];
const TEMPLATE_ORDER = ['metadata', 'type', 'immutable', 'data'];
const MANAGED_FIELDS_ENTRY_ORDER = ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource'];

export function renderSealedSecrets(objects: unknown[], format: ManifestFormat): string {
  return objects.map((o) => (format === 'json' ? renderSealedSecretJson(o) : renderSealedSecretYaml(o))).join('');
}

export function renderSealedSecretJson(obj: unknown): string {
  return goJsonMarshalIndent(structOrder(obj)) + '\n';
}

/**
 * The error prepareSeal made (with file, object and field) for a SealedSecret
 * kubeseal could not print as YAML; renderSealedSecretYaml throws it.
 */
export const yamlRefusals = new WeakMap<object, KsecError>();

/** Throws a KsecError (naming the object and field) for a string kubeseal's YAML output refuses (yamlRefusal). */
export function renderSealedSecretYaml(obj: unknown): string {
  const known = isRecord(obj) ? yamlRefusals.get(obj) : undefined;
  if (known) throw known;
  const refusal = yamlRefusalOf(obj);
  if (refusal) {
    throw new KsecError(`${refusal.field} ${refusal.problem}`, {
      object: isRecord(obj) ? objectRef(obj) : undefined,
      hint: 'kubeseal -o yaml refuses it too; remove the character or seal with -o json',
    });
  }
  return '---\n' + sigsYamlMarshal(structOrder(obj));
}

/** sigs.k8s.io/yaml.Marshal of a JSON-able value (json.Marshal, go-yaml v2 Unmarshal, go-yaml v2 Marshal), without the refusal check. */
export function sigsYamlMarshal(value: unknown): string {
  return goYamlV2Marshal(throughGoJson(value));
}

/**
 * Characters encoding/json writes raw that go-yaml's reader refuses ("control
 * characters are not allowed"): DEL, the C1 controls but U+0085, U+FFFE, U+FFFF.
 */
const YAML_UNREADABLE = /[\x7f\x80-\x84\x86-\x9f\ufffe\uffff]/;
/** After a U+0085 (a line break to go-yaml) at the start of a line: a document marker, which go-yaml refuses inside a scalar. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DOCUMENT_MARKER_AFTER_NEL = /\u0085(?:---|\.\.\.)[ \u0085]/;

export interface YamlRefusal {
  /** e.g. `spec.template.metadata.labels["a\x7f"]` with the key escaped as JSON */
  field: string;
  problem: string;
}

/** The first string (key or value) of a SealedSecret that kubeseal could not print as YAML, or undefined. */
export function yamlRefusalOf(sealedSecret: unknown): YamlRefusal | undefined {
  return yamlRefusal(structOrder(sealedSecret));
}

function yamlRefusal(value: unknown, path = '', raw = false): YamlRefusal | undefined {
  if (value instanceof GoRawJson) return yamlRefusal(value.value, path, true);
  if (typeof value === 'string') {
    // Go copies a GoRawJson's text: a lone surrogate was an escape there, which go-yaml refuses
    if (raw && LONE_SURROGATE.test(value)) return { field: path, problem: 'holds a lone UTF-16 surrogate (\\ud800-\\udfff), which go-yaml cannot read' };
    const bad = YAML_UNREADABLE.exec(value);
    if (bad) return { field: path, problem: `holds the control character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which go-yaml cannot read` };
    if (DOCUMENT_MARKER_AFTER_NEL.test(value)) return { field: path, problem: 'holds U+0085 followed by a document marker (--- or ...), which go-yaml cannot read' };
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = yamlRefusal(value[i], `${path}[${i}]`, raw);
      if (r) return r;
    }
    return undefined;
  }
  if (value instanceof Map || isRecord(value)) {
    const entries: [unknown, unknown][] = value instanceof Map ? [...value] : Object.entries(value);
    for (const [k, v] of entries) {
      const key = String(k);
      const field = /^[A-Za-z0-9_-]+$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}...` : key)}]`;
      const r = keyRefusal(key, field) ?? yamlRefusal(key, `${field} (its key)`, raw) ?? yamlRefusal(v, field, raw);
      if (r) return r;
    }
  }
  return undefined;
}

/** go-yaml reads json.Marshal's `{"key":...}` with the key as a simple key: one line, at most 1024 characters from its opening quote to the `:`. */
function keyRefusal(key: string, field: string): YamlRefusal | undefined {
  if (key.includes('\u0085')) return { field: `${field} (its key)`, problem: 'holds U+0085, a line break to go-yaml, which cannot read a key over two lines' };
  let length = 0;
  for (const _ of goJsonString(key)) length++;
  if (length > 1024) return { field: `${field} (its key)`, problem: `is ${length - 2} characters long as JSON; go-yaml cannot read a key of more than 1022` };
  return undefined;
}

/**
 * A JSON string as go-yaml reads it back from encoding/json's output: Go's
 * strings have no lone surrogates (U+FFFD instead), and U+0085 is the one
 * line break encoding/json writes raw, so go-yaml folds it like a line break
 * in a double-quoted scalar: one break and the spaces around it become a
 * space, n > 1 breaks become n - 1 newlines.
 */
export function goYamlReadsJsonString(s: string): string {
  const text = toWellFormed(s);
  if (!text.includes('\u0085')) return text;
  return text.replace(/ *\u0085[ \u0085]*/g, (run) => {
    const breaks = run.split('\u0085').length - 1;
    return breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
  });
}

/**
 * The value go-yaml v2 decodes from json.Marshal's output of `value`: strings
 * through goYamlReadsJsonString, every object a Map in go-yaml's key order
 * (keys that read back equal: the last one wins, as in a Go map).
 */
function throughGoJson(value: unknown): unknown {
  if (value instanceof GoRawJson) return throughGoJson(value.value);
  if (typeof value === 'string') return goYamlReadsJsonString(value);
  if (Array.isArray(value)) return value.map((v) => throughGoJson(v === undefined ? null : v));
  if (value instanceof Map || isRecord(value)) {
    const entries: [unknown, unknown][] = value instanceof Map ? [...value] : Object.entries(value);
    const byKey = new Map<string, unknown>();
    for (const [k, v] of entries) if (v !== undefined) byKey.set(goYamlReadsJsonString(String(k)), throughGoJson(v));
    const keys = [...byKey.keys()].sort((a, b) => (a === b ? 0 : goYamlKeyLess(a, b) ? -1 : 1));
    return new Map(keys.map((k) => [k, byKey.get(k)]));
  }
  return value;
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
  if (Array.isArray(out.managedFields)) out.managedFields = out.managedFields.map(managedFieldsEntry);
  return out;
}

/** A ManagedFieldsEntry in struct order; fieldsV1 is printed from its input text by Go (GoRawJson). */
function managedFieldsEntry(entry: unknown): unknown {
  if (!isRecord(entry)) return entry;
  const out = ordered(entry, MANAGED_FIELDS_ENTRY_ORDER);
  if (out.fieldsV1 !== undefined && !(out.fieldsV1 instanceof GoRawJson)) out.fieldsV1 = new GoRawJson(out.fieldsV1);
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
