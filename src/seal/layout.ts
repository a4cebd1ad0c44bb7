/**
 * SealedSecrets printed the way kubeseal v0.36 prints them, so a diff between
 * ksec's and kubeseal's output shows only the ciphertexts:
 *
 * - JSON: Go's json.MarshalIndent of the typed object (two spaces, struct
 *   field order, map keys sorted, `<`, `>`, `&` escaped) plus a newline.
 * - YAML: `---` then sigs.k8s.io/yaml output: go-yaml v2 with every key
 *   sorted (its "natural" order), YAML 1.1 quoting, sequences not indented.
 *
 * One deliberate difference: no `creationTimestamp: null` (it fails the CRD
 * schema; sealed-secrets #1320). Long strings with spaces are not folded at
 * 80 columns as go-yaml does; the value is the same.
 */
import { stringify } from 'yaml';
import type { ManifestFormat } from '../manifest/read.js';
import { isRecord } from '../manifest/objects.js';

const OBJECT_META_ORDER = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];
const SEALED_SECRET_ORDER = ['kind', 'apiVersion', 'metadata', 'spec', 'status'];
const SPEC_ORDER = ['template', 'data', 'encryptedData'];
const TEMPLATE_ORDER = ['metadata', 'type', 'immutable', 'data'];

export function renderSealedSecrets(objects: unknown[], format: ManifestFormat): string {
  return objects.map((o) => (format === 'json' ? renderSealedSecretJson(o) : renderSealedSecretYaml(o))).join('');
}

export function renderSealedSecretJson(obj: unknown): string {
  return goJson(structOrder(obj)) + '\n';
}

export function renderSealedSecretYaml(obj: unknown): string {
  return (
    '---\n' +
    stringify(sortKeysDeep(obj), {
      version: '1.1',
      lineWidth: 0,
      minContentWidth: 0,
      indentSeq: false,
      singleQuote: false,
      blockQuote: 'literal',
      aliasDuplicateObjects: false,
    })
  );
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
  const out = ordered(m, OBJECT_META_ORDER);
  if (isRecord(out.labels)) out.labels = sortedMap(out.labels);
  if (isRecord(out.annotations)) out.annotations = sortedMap(out.annotations);
  return out;
}

function ordered(obj: Record<string, unknown>, order: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of order) if (k in obj) out[k] = obj[k];
  for (const k of Object.keys(obj)) if (!(k in out)) out[k] = obj[k];
  return out;
}

/** Go's encoding/json sorts map keys by bytes. */
function sortedMap(obj: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(obj).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return Object.fromEntries(keys.map((k) => [k, obj[k]]));
}

/** JSON.stringify plus Go's HTML-safe escaping. */
function goJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (!isRecord(value)) return value;
  const keys = Object.keys(value).sort((a, b) => (goYamlKeyLess(a, b) ? -1 : goYamlKeyLess(b, a) ? 1 : 0));
  return Object.fromEntries(keys.map((k) => [k, sortKeysDeep(value[k])]));
}

const isLetter = (c: string) => /\p{L}/u.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

/** go-yaml v2's keyList.Less for string keys: letters after other characters, digit runs compared as numbers. */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ca = ar[i]!;
    const cb = br[i]!;
    if (ca === cb) continue;
    const al = isLetter(ca);
    const bl = isLetter(cb);
    if (al && bl) return ca.codePointAt(0)! < cb.codePointAt(0)!;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ca === '0' || cb === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ca.codePointAt(0)! < cb.codePointAt(0)!;
  }
  return ar.length < br.length;
}
