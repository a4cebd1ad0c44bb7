/**
 * ksec's own config hash (`--algorithm ksec`, the default): sha256 over a
 * canonical, length-prefixed layout of an object's content (see
 * canonicalChunks).
 */
import { createHash } from 'node:crypto';
import { compareCodePoints } from '../go/strings.js';
import { isRecord, type KubeObject } from '../manifest/objects.js';
import { configMapBytes, hashInputError, secretBytes, stringMap } from './content.js';
import { hashableKind } from './kinds.js';

/**
 * ksec's canonical hash of a ConfigMap, Secret, SealedSecret or
 * ExternalSecret: lowercase sha256 hex over `canonicalChunks(obj)`.
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
      throw hashInputError(obj, `cannot hash a ${obj.kind ?? 'object without kind'}`, 'config hashes cover ConfigMap, Secret, SealedSecret and ExternalSecret');
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

function sortedKeys(map: Map<string, unknown> | Record<string, unknown>): string[] {
  const keys = map instanceof Map ? [...map.keys()] : Object.keys(map);
  return keys.sort(compareCodePoints);
}
