/**
 * The one hash module for `ksec checksum` and `ksec watch`. Every function is
 * pure and takes a plain object (as parsed from YAML/JSON or returned by the
 * Kubernetes API). Hash inputs (config values, decoded secrets) live only
 * inside these functions: they are never logged nor put in an error.
 *
 * Three families:
 * - configHash: ksec's own canonical sha256 (see `canonicalBytes` for the layout).
 * - reloaderHash: stakater Reloader's value, bit for bit.
 * - kustomizeHash: the 10-character name suffix `kustomize build` appends.
 * combinedHash turns a workload's list of per-object hashes into one stamp.
 */
import { createHash } from 'node:crypto';
import { KsecError } from '../errors.js';
import { isRecord, objectRef, type KubeObject } from '../manifest/objects.js';

/** Kinds ksec can hash, and the kind they count as when a workload references them. */
export const HASHABLE_KINDS = ['ConfigMap', 'Secret', 'SealedSecret', 'ExternalSecret'] as const;
export type HashableKind = (typeof HASHABLE_KINDS)[number];

export function isHashable(obj: KubeObject): boolean {
  return hashableKind(obj) !== undefined;
}

/** The kind to hash `obj` as, or undefined when ksec does not hash it. */
export function hashableKind(obj: KubeObject): HashableKind | undefined {
  const api = String(obj.apiVersion ?? '');
  switch (obj.kind) {
    case 'ConfigMap':
    case 'Secret':
      return api === '' || api === 'v1' ? obj.kind : undefined;
    case 'SealedSecret':
      return api.startsWith('bitnami.com/') ? 'SealedSecret' : undefined;
    case 'ExternalSecret':
      return api.startsWith('external-secrets.io/') ? 'ExternalSecret' : undefined;
    default:
      return undefined;
  }
}

/**
 * The Secret or ConfigMap a hashable object stands for inside the cluster:
 * a SealedSecret produces the Secret named by spec.template.metadata.name (or
 * its own name), an ExternalSecret the one named by spec.target.name (or its
 * own name).
 */
export function producedObject(obj: KubeObject): { kind: 'ConfigMap' | 'Secret'; name: string; namespace?: string } | undefined {
  const kind = hashableKind(obj);
  const name = obj.metadata?.name;
  const namespace = obj.metadata?.namespace;
  if (!kind) return undefined;
  const spec = isRecord(obj.spec) ? obj.spec : {};
  let produced: string | undefined = name;
  if (kind === 'SealedSecret') {
    const template = isRecord(spec.template) ? spec.template : {};
    const meta = isRecord(template.metadata) ? template.metadata : {};
    if (typeof meta.name === 'string' && meta.name) produced = meta.name;
  } else if (kind === 'ExternalSecret') {
    const target = isRecord(spec.target) ? spec.target : {};
    if (typeof target.name === 'string' && target.name) produced = target.name;
  }
  if (!produced) return undefined;
  const out: { kind: 'ConfigMap' | 'Secret'; name: string; namespace?: string } = {
    kind: kind === 'ConfigMap' ? 'ConfigMap' : 'Secret',
    name: produced,
  };
  if (namespace !== undefined) out.namespace = namespace;
  return out;
}

// ---------------------------------------------------------------------------
// Shared readers: a map of string values, and strict base64.

function bad(obj: KubeObject, message: string, hint: string): KsecError {
  return new KsecError(message, { object: objectRef(obj), hint });
}

/** The string map at `obj[field]`; null values read as ''. Absent → {}. */
function stringMap(obj: KubeObject, field: string, holder: Record<string, unknown> = obj): Record<string, string> {
  const raw = holder[field];
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) throw bad(obj, `${field} is not a map`, `${field} holds key: value pairs`);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined) out[key] = '';
    else if (typeof value === 'string') out[key] = value;
    else throw bad(obj, `${field}.${key} is not a string`, 'quote the value in the YAML');
  }
  return out;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict standard base64 (padding required, as the API server decodes it);
 * whitespace and line breaks are ignored so wrapping never changes a hash.
 */
export function decodeBase64(value: string, obj: KubeObject, where: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (!BASE64.test(compact)) {
    throw bad(obj, `${where} is not valid base64`, 'encode the value with `base64 -w0`, or move it to stringData');
  }
  return Buffer.from(compact, 'base64');
}

/** A Secret's effective content: data decoded, then stringData over it (stringData wins, as in the API server). */
export function secretBytes(obj: KubeObject): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(stringMap(obj, 'data'))) out.set(key, decodeBase64(value, obj, `data.${key}`));
  for (const [key, value] of Object.entries(stringMap(obj, 'stringData'))) out.set(key, Buffer.from(value, 'utf8'));
  return out;
}

/** A ConfigMap's content: data as UTF-8 text and binaryData decoded, kept apart. */
function configMapBytes(obj: KubeObject): { data: Map<string, Buffer>; binary: Map<string, Buffer> } {
  const data = new Map<string, Buffer>();
  const binary = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(stringMap(obj, 'data'))) data.set(key, Buffer.from(value, 'utf8'));
  for (const [key, value] of Object.entries(stringMap(obj, 'binaryData'))) {
    binary.set(key, decodeBase64(value, obj, `binaryData.${key}`));
  }
  return { data, binary };
}

/**
 * Orders strings by Unicode code point, which is the byte order of their
 * UTF-8 encoding (Go's sort.Strings and map-key order); JavaScript's default
 * sort compares UTF-16 units and differs above U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

function codeUnitRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000; // surrogates: code points above U+FFFF
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

function sortedKeys(map: Map<string, unknown> | Record<string, unknown>): string[] {
  const keys = map instanceof Map ? [...map.keys()] : Object.keys(map);
  return keys.sort(compareCodePoints);
}

// ---------------------------------------------------------------------------
// ksec's canonical hash.

/**
 * ksec's canonical hash of a ConfigMap, Secret, SealedSecret or
 * ExternalSecret: lowercase sha256 hex over `canonicalBytes(obj)`.
 * Independent of YAML formatting, quoting, key order and base64 wrapping;
 * any change in content changes it. Throws KsecError (exit 2) for other kinds
 * and malformed content (e.g. invalid base64), naming the key, never the value.
 */
export function configHash(obj: KubeObject): string {
  const hash = createHash('sha256');
  for (const chunk of canonicalChunks(obj)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * The canonical byte layout, a sequence of length-prefixed fields so no two
 * different inputs share an encoding:
 *
 *   field(s)   = uint32be(byteLength(s)) || s
 *   input      = field("ksec.dev/config-hash/v1") || field(kind) || sections
 *   ConfigMap  sections: field("data") || entries(data) || field("binaryData") || entries(binaryData decoded)
 *   Secret     sections: field("data") || entries(data decoded, stringData merged over it)
 *   SealedSecret: field("encryptedData") || entries(encryptedData, whitespace removed)
 *                 || field("template") || field(canonicalJson(spec.template ?? null))
 *   ExternalSecret: field("spec") || field(canonicalJson(spec ?? null))
 *   entries(m) = uint32be(count) || for each key in code-point order: field(key) || field(value)
 *
 * The kind is part of the input, so equal content as a ConfigMap and as a
 * Secret never hashes the same.
 */
function canonicalChunks(obj: KubeObject): Buffer[] {
  const kind = hashableKind(obj);
  const out: Buffer[] = [field('ksec.dev/config-hash/v1')];
  switch (kind) {
    case 'ConfigMap': {
      const { data, binary } = configMapBytes(obj);
      out.push(field(kind), field('data'), ...entries(data), field('binaryData'), ...entries(binary));
      return out;
    }
    case 'Secret':
      out.push(field(kind), field('data'), ...entries(secretBytes(obj)));
      return out;
    case 'SealedSecret': {
      const spec = isRecord(obj.spec) ? obj.spec : {};
      const encrypted = new Map<string, Buffer>();
      for (const [key, value] of Object.entries(stringMap(obj, 'encryptedData', spec))) {
        encrypted.set(key, Buffer.from(value.replace(/\s+/g, ''), 'utf8'));
      }
      out.push(field(kind), field('encryptedData'), ...entries(encrypted));
      out.push(field('template'), field(canonicalJson(spec.template ?? null)));
      return out;
    }
    case 'ExternalSecret':
      out.push(field(kind), field('spec'), field(canonicalJson(obj.spec ?? null)));
      return out;
    default:
      throw bad(obj, `cannot hash a ${obj.kind ?? 'object without kind'}`, 'config hashes cover ConfigMap, Secret, SealedSecret and ExternalSecret');
  }
}

function field(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function entries(map: Map<string, Buffer>): Buffer[] {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(map.size);
  const out: Buffer[] = [count];
  for (const key of sortedKeys(map)) out.push(field(key), field(map.get(key)!));
  return out;
}

/** JSON with object keys in code-point order at every level (RFC 8785-like, enough for equality). */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${sortedKeys(value)
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  return JSON.stringify(value) ?? 'null';
}

// ---------------------------------------------------------------------------
// stakater Reloader.

/**
 * Reloader's digest. Reloader's releases use SHA-1: v1.4.14's
 * `internal/pkg/crypto/sha.go` calls crypto/sha1 (nothing in that tree uses
 * SHA-512/256), although v1.4.14 carries the CSI support of PR #1073, whose
 * review proposed SHA-512/256; test/e2e/watch/reloader.test.ts compares with
 * values the real v1.4.14 stamped. 'sha512-256' is kept for a Reloader built
 * with that proposal. Both are lowercase hex.
 */
export type ReloaderDigest = 'sha1' | 'sha512-256';

export interface ReloaderHashOptions {
  digest?: ReloaderDigest;
}

/**
 * Reloader's hash of a ConfigMap or Secret, bit for bit. Following
 * `GetSHAfromConfigmap` / `GetSHAfromSecret` (internal/pkg/util/util.go):
 * one `key=value` string per entry — ConfigMap data as is, binaryData
 * re-encoded with Go's base64.StdEncoding, Secret data decoded to raw bytes —
 * sorted bytewise (sort.Strings), joined with `;`, then digested (SHA-1 by
 * default). Reloader sees Secrets from the API server, where stringData has
 * been merged into data; so does this function.
 */
export function reloaderHash(obj: KubeObject, options: ReloaderHashOptions = {}): string {
  const kind = hashableKind(obj);
  const values: Buffer[] = [];
  if (kind === 'ConfigMap') {
    const { data, binary } = configMapBytes(obj);
    for (const [key, value] of data) values.push(Buffer.concat([Buffer.from(`${key}=`, 'utf8'), value]));
    for (const [key, value] of binary) values.push(Buffer.from(`${key}=${value.toString('base64')}`, 'utf8'));
  } else if (kind === 'Secret') {
    for (const [key, value] of secretBytes(obj)) values.push(Buffer.concat([Buffer.from(`${key}=`, 'utf8'), value]));
  } else {
    throw bad(obj, `Reloader hashes only ConfigMaps and Secrets, not ${obj.kind ?? 'this object'}`, 'use --algorithm ksec');
  }
  values.sort(Buffer.compare);
  const joined: Buffer[] = [];
  values.forEach((v, i) => {
    if (i > 0) joined.push(SEMICOLON);
    joined.push(v);
  });
  return createHash(options.digest ?? 'sha1')
    .update(Buffer.concat(joined))
    .digest('hex');
}

const SEMICOLON = Buffer.from(';');

// ---------------------------------------------------------------------------
// kustomize.

/**
 * The name suffix kustomize appends for configMapGenerator/secretGenerator
 * (sigs.k8s.io/kustomize/api/hasher): Go's json.Marshal of
 *   ConfigMap: {binaryData?, data, kind: "ConfigMap", name}
 *   Secret:    {data, kind: "Secret", name, stringData?, type}
 * where each field is the object's raw value (data values stay base64 text),
 * an absent field is "" (binaryData/stringData are left out unless they are
 * maps), keys sorted; then sha256, hex, the first 10 characters with
 * 0→g 1→h 3→k a→m e→t so the suffix never looks like a number or word.
 *
 * `name` is always "": kustomize reads it with `yaml.Lookup("metadata/name")`,
 * which looks for one field literally called "metadata/name" and finds none.
 * So the suffix depends on content (and type) only — verified against the
 * real `kustomize build` (test/e2e/checksum).
 */
export function kustomizeHash(obj: KubeObject): string {
  const kind = hashableKind(obj);
  const name = '';
  const fieldValue = (holder: Record<string, unknown>, key: string): unknown => {
    const v = holder[key];
    return v === undefined || v === null ? '' : v;
  };
  let encoded: Record<string, unknown>;
  if (kind === 'ConfigMap') {
    encoded = { kind: 'ConfigMap', name, data: fieldValue(obj, 'data') };
    if (isRecord(obj.binaryData)) encoded.binaryData = obj.binaryData;
  } else if (kind === 'Secret') {
    encoded = { kind: 'Secret', type: fieldValue(obj, 'type'), name, data: fieldValue(obj, 'data') };
    if (isRecord(obj.stringData)) encoded.stringData = obj.stringData;
  } else {
    throw bad(obj, `kustomize hashes only ConfigMaps and Secrets, not ${obj.kind ?? 'this object'}`, 'use --algorithm ksec');
  }
  return kustomizeSuffix(createHash('sha256').update(goJson(encoded), 'utf8').digest('hex'));
}

/** kustomize's (and kubectl's) hex-to-suffix mapping. */
export function kustomizeSuffix(hex: string): string {
  const map: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((c) => map[c] ?? c).join('');
}

/**
 * Go's encoding/json output for decoded JSON values: map keys in byte order,
 * HTML-safe escapes (<, >, & as \u003c...), U+2028/9 escaped, control
 * characters as \b \f \n \r \t or \u00XX, lone surrogates as U+FFFD.
 */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? goNumber(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${sortedKeys(value)
      .map((k) => `${goString(k)}:${goJson(value[k])}`)
      .join(',')}}`;
  }
  return goString(String(value));
}

function goNumber(n: number): string {
  // Go formats float64 like JavaScript for the integers and short decimals
  // found in manifests; exponents differ in form ("1e+21" in both).
  return String(n);
}

function goString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd';
    else if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += s[i]!;
  }
  return `${out}"`;
}

// ---------------------------------------------------------------------------
// The workload stamp.

export interface HashEntry {
  /** the kind the workload references: ConfigMap or Secret */
  kind: string;
  name: string;
  hash: string;
}

/**
 * The workload stamp: sha256 hex over the lines `kind/name=hash\n`, sorted
 * in code-point order and deduplicated. An empty list has a stamp too (the
 * hash of nothing), so "references nothing" is a stable state.
 */
export function combinedHash(entries: readonly HashEntry[]): string {
  const lines = [...new Set(entries.map((e) => `${e.kind}/${e.name}=${e.hash}\n`))].sort(compareCodePoints);
  return createHash('sha256').update(lines.join(''), 'utf8').digest('hex');
}
