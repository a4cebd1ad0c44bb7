/**
 * The bytes of a ConfigMap or Secret that its hashes cover: a Secret's data
 * decoded with stringData merged over it, a ConfigMap's data and decoded
 * binaryData. Values are read, never logged nor put in an error: errors name
 * the object and key only.
 */
import { KsecError } from '../errors.js';
import { isPaddedBase64 } from '../go/base64.js';
import { inputRecord, isRecord, objectRef, type KubeObject } from '../manifest/objects.js';

/** The KsecError (exit 2) for an object that cannot be hashed, naming the object, never a value. */
export function hashInputError(obj: KubeObject, message: string, hint: string): KsecError {
  return new KsecError(message, { object: objectRef(obj), hint });
}

/** The string map at `obj[field]`; null values read as ''. Absent → {}. */
export function stringMap(obj: KubeObject, field: string, holder: Record<string, unknown> = obj): Record<string, string> {
  const raw = holder[field];
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) throw hashInputError(obj, `${field} is not a map`, `${field} holds key: value pairs`);
  const out = inputRecord<string>();
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined) out[key] = '';
    else if (typeof value === 'string') out[key] = value;
    else throw hashInputError(obj, `${field}.${key} is not a string`, 'quote the value in the YAML');
  }
  return out;
}

/**
 * Strict standard base64 (padding required, as the API server decodes it);
 * whitespace and line breaks are ignored so wrapping never changes a hash.
 */
export function decodeBase64IgnoringWhitespace(value: string, obj: KubeObject, where: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (!isPaddedBase64(compact)) {
    throw hashInputError(obj, `${where} is not valid base64`, 'encode the value with `base64 -w0`, or move it to stringData');
  }
  return Buffer.from(compact, 'base64');
}

/** A Secret's effective content: data decoded, then stringData over it (stringData wins, as in the API server). */
export function secretBytes(obj: KubeObject): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(stringMap(obj, 'data'))) out.set(key, decodeBase64IgnoringWhitespace(value, obj, `data.${key}`));
  for (const [key, value] of Object.entries(stringMap(obj, 'stringData'))) out.set(key, Buffer.from(value, 'utf8'));
  return out;
}

/** A ConfigMap's content: data as UTF-8 text and binaryData decoded, kept apart. */
export function configMapBytes(obj: KubeObject): { data: Map<string, Buffer>; binary: Map<string, Buffer> } {
  const data = new Map<string, Buffer>();
  const binary = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(stringMap(obj, 'data'))) data.set(key, Buffer.from(value, 'utf8'));
  for (const [key, value] of Object.entries(stringMap(obj, 'binaryData'))) {
    binary.set(key, decodeBase64IgnoringWhitespace(value, obj, `binaryData.${key}`));
  }
  return { data, binary };
}
