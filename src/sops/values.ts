/**
 * SOPS value encryption: every encrypted leaf is
 * `ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<t>]`, AES-256-GCM with
 * a 32-byte IV under the file's data key, the additional data being the map
 * keys of the value's path joined with `:` plus a trailing `:` (for the MAC:
 * the `lastmodified` timestamp). `t` is str, int, float, bool, bytes or
 * comment; the plaintext is the value's text form (bools as True/False).
 * An empty string is stored as an empty string, not encrypted.
 */
import { createDecipheriv } from 'node:crypto';
import { isPaddedBase64 } from '../go/base64.js';
import { goFormatFloatF, goParseBool, goParseFloat, goParseInt } from '../go/strconv.js';
import type { SopsComment, SopsScalar } from './tree.js';

const ENC = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

export interface EncryptedValue {
  data: Buffer;
  iv: Buffer;
  tag: Buffer;
  type: string;
}

/** Parses an `ENC[...]` string; undefined when the text is not one. */
export function parseEncrypted(text: string): EncryptedValue | undefined {
  const m = ENC.exec(text);
  if (!m) return undefined;
  const [, data, iv, tag, type] = m;
  if (!isPaddedBase64(data!) || !isPaddedBase64(iv!) || !isPaddedBase64(tag!)) return undefined;
  return { data: Buffer.from(data!, 'base64'), iv: Buffer.from(iv!, 'base64'), tag: Buffer.from(tag!, 'base64'), type: type! };
}

export class ValueError extends Error {
  constructor(
    message: string,
    readonly reason: 'format' | 'auth' | 'type',
  ) {
    super(message);
    this.name = 'ValueError';
  }
}

/** Opens the AES-GCM box; throws ValueError('auth') when the tag does not verify. */
export function openValue(enc: EncryptedValue, key: Buffer, additionalData: string): Buffer {
  if (enc.iv.length === 0 || enc.tag.length !== 16) throw new ValueError('malformed encrypted value', 'format');
  const decipher = createDecipheriv('aes-256-gcm', key, enc.iv, { authTagLength: 16 });
  decipher.setAAD(Buffer.from(additionalData, 'utf8'));
  decipher.setAuthTag(enc.tag);
  try {
    return Buffer.concat([decipher.update(enc.data), decipher.final()]);
  } catch {
    throw new ValueError('failed authentication', 'auth');
  }
}

/** Decrypts one sops value string (as sops's aes.Cipher.Decrypt) into a typed leaf. */
export function decryptValue(text: string, key: Buffer, additionalData: string): SopsScalar | SopsComment {
  if (text === '') return { kind: 'str', value: '' };
  const enc = parseEncrypted(text);
  if (!enc) throw new ValueError('is not in sops ENC[AES256_GCM,...] format', 'format');
  const plain = openValue(enc, key, additionalData);
  const s = plain.toString('utf8');
  switch (enc.type) {
    case 'str':
      return { kind: 'str', value: s };
    case 'int':
    case 'int64': {
      const n = goParseInt(s);
      if (n === undefined) throw new ValueError('holds an invalid int', 'type');
      return { kind: 'int', value: n };
    }
    case 'float': {
      const f = goParseFloat(s);
      if (f === undefined) throw new ValueError('holds an invalid float', 'type');
      return { kind: 'float', value: f };
    }
    case 'bool': {
      const b = goParseBool(s);
      if (b === undefined) throw new ValueError('holds an invalid bool', 'type');
      return { kind: 'bool', value: b };
    }
    case 'bytes':
      return { kind: 'bytes', value: plain };
    case 'time': {
      const t = normalizeRfc3339(s);
      if (t === undefined) throw new ValueError('holds an invalid timestamp', 'type');
      return { kind: 'time', value: t };
    }
    case 'comment':
      return { kind: 'comment', value: s };
    default:
      throw new ValueError(`has an unknown type "${enc.type.slice(0, 20)}"`, 'type');
  }
}

/** The bytes sops feeds the MAC for a value (its ToBytes). */
export function macBytes(leaf: SopsScalar): Buffer {
  switch (leaf.kind) {
    case 'str':
      return Buffer.from(leaf.value, 'utf8');
    case 'int':
      return Buffer.from(leaf.value, 'latin1');
    case 'float':
      return Buffer.from(goFormatFloatF(leaf.value), 'latin1');
    case 'bool':
      return Buffer.from(leaf.value ? 'True' : 'False', 'latin1');
    case 'bytes':
      return leaf.value;
    case 'time':
      return Buffer.from(leaf.value, 'latin1');
    case 'null':
      return Buffer.alloc(0);
  }
}

/**
 * A timestamp as Go's time.Time.MarshalText prints it (RFC 3339, fractional
 * seconds without trailing zeros, Z for a zero offset); undefined if `s` is
 * not one of the forms yaml.v3 or UnmarshalText accept. Date-only and
 * zone-less forms are UTC.
 */
export function normalizeRfc3339(s: string): string | undefined {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?))?$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, t, h1, mi1, s1, f1, zone, h2, mi2, s2, f2] = m;
  const hour = Number(t ? h1 : (h2 ?? 0));
  const minute = Number(t ? mi1 : (mi2 ?? 0));
  const second = Number(t ? s1 : (s2 ?? 0));
  const frac = (t ? f1 : f2) ?? '';
  const month = Number(mo);
  const day = Number(d);
  const date = new Date(Date.UTC(Number(y), month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  const two = (n: number) => String(n).padStart(2, '0');
  const nanos = frac.slice(1, 10).replace(/0+$/, '');
  const z = !zone || /^(z|[+-]00:00)$/i.test(zone) ? 'Z' : zone;
  return `${y}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${nanos ? '.' + nanos : ''}${z}`;
}
