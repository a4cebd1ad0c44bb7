/**
 * The sealed-secrets hybrid scheme (bitnami-labs/sealed-secrets pkg/crypto),
 * with node:crypto only.
 *
 * Byte layout of one sealed value (before standard base64):
 *
 *   uint16be(len(rsa)) || rsa || aes
 *
 *   rsa = RSA-OAEP(SHA-256, MGF1-SHA-256, label)(sessionKey)   len = modulus bytes (512 for RSA-4096)
 *   aes = AES-256-GCM(sessionKey, nonce = 12 zero bytes, no AAD)(plaintext) || 16-byte tag
 *
 * sessionKey is 32 random bytes used once, which is why a fixed zero nonce is
 * safe. label is the scope label (see scope.ts).
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { KsecError } from '../errors.js';
import { GCM_TAG_BYTES } from './wire.js';

export const SESSION_KEY_BYTES = 32;
const ZERO_NONCE = Buffer.alloc(12);

export interface HybridParts {
  /** length of the RSA part, from the 2-byte prefix */
  rsaLength: number;
  rsaPart: Buffer;
  /** AES-GCM ciphertext followed by its 16-byte tag */
  aesPart: Buffer;
}

export function hybridEncrypt(publicKey: KeyObject, plaintext: Uint8Array, label: Uint8Array): Buffer {
  const sessionKey = randomBytes(SESSION_KEY_BYTES);
  try {
    return hybridEncryptWithSessionKey(publicKey, sessionKey, plaintext, label);
  } finally {
    sessionKey.fill(0);
  }
}

/** Split from hybridEncrypt so a worker can reuse it; the session key must be fresh and random. */
export function hybridEncryptWithSessionKey(
  publicKey: KeyObject,
  sessionKey: Uint8Array,
  plaintext: Uint8Array,
  label: Uint8Array,
): Buffer {
  const rsa = publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label },
    sessionKey,
  );
  return Buffer.concat([lengthPrefix(rsa.length), rsa, aesSeal(sessionKey, plaintext)]);
}

/**
 * Seals many values with one public key, base64 out (what a SealedSecret
 * holds). Same bytes as hybridEncrypt, with the per-value overhead cut: one
 * random draw for all session keys, one OAEP options object per label, and
 * the output assembled in one reused buffer instead of a concat per value.
 */
export function hybridEncryptManyBase64(
  publicKey: KeyObject,
  plaintexts: readonly Uint8Array[],
  labels: readonly Uint8Array[],
): string[] {
  const n = plaintexts.length;
  const out = new Array<string>(n);
  if (n === 0) return out;
  const sessionKeys = randomBytes(SESSION_KEY_BYTES * n);
  const optionsFor = new Map<Uint8Array, RsaPublicKeyOptions>();
  let scratch = Buffer.allocUnsafeSlow(4096);
  try {
    for (let i = 0; i < n; i++) {
      const label = labels[i]!;
      let options = optionsFor.get(label);
      if (!options) {
        options = { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label };
        optionsFor.set(label, options);
      }
      const sessionKey = sessionKeys.subarray(i * SESSION_KEY_BYTES, (i + 1) * SESSION_KEY_BYTES);
      const rsa = publicEncrypt(options, sessionKey);
      const plaintext = plaintexts[i]!;
      const length = 2 + rsa.length + plaintext.length + GCM_TAG_BYTES;
      if (scratch.length < length) scratch = Buffer.allocUnsafeSlow(length);
      scratch.writeUInt16BE(rsa.length, 0);
      let at = 2 + rsa.copy(scratch, 2);
      const cipher = createCipheriv('aes-256-gcm', sessionKey, ZERO_NONCE);
      at += cipher.update(plaintext).copy(scratch, at);
      at += cipher.final().copy(scratch, at);
      at += cipher.getAuthTag().copy(scratch, at);
      out[i] = scratch.toString('base64', 0, at);
    }
  } finally {
    sessionKeys.fill(0);
  }
  return out;
}

type RsaPublicKeyOptions = Parameters<typeof publicEncrypt>[0] & object;

export function hybridDecrypt(privateKey: KeyObject, ciphertext: Uint8Array, label: Uint8Array): Buffer {
  const { rsaPart, aesPart } = parseHybridCiphertext(ciphertext);
  let sessionKey: Buffer;
  try {
    sessionKey = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label },
      rsaPart,
    );
  } catch (cause) {
    throw new KsecError('cannot decrypt: the session key does not open with this private key and scope', {
      hint: 'wrong key, wrong scope (namespace/name), or tampered ciphertext',
      cause,
    });
  }
  try {
    return aesOpen(sessionKey, aesPart);
  } finally {
    sessionKey.fill(0);
  }
}

/** Structural check only (no key needed): the length prefix and that both parts are present. */
export function parseHybridCiphertext(buf: Uint8Array): HybridParts {
  const data = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (data.length < 2) {
    throw new KsecError('ciphertext too short: missing the 2-byte length prefix', {
      hint: 'the value is truncated or not a sealed value',
    });
  }
  const rsaLength = data.readUInt16BE(0);
  if (rsaLength === 0 || data.length < 2 + rsaLength) {
    throw new KsecError(`ciphertext too short: length prefix says ${rsaLength} RSA bytes but only ${data.length - 2} follow`, {
      hint: 'the value is truncated or not a sealed value',
    });
  }
  const aesPart = data.subarray(2 + rsaLength);
  if (aesPart.length < GCM_TAG_BYTES) {
    throw new KsecError(`ciphertext too short: ${aesPart.length} bytes after the RSA part, need at least a ${GCM_TAG_BYTES}-byte GCM tag`, {
      hint: 'the value is truncated',
    });
  }
  return { rsaLength, rsaPart: data.subarray(2, 2 + rsaLength), aesPart };
}

function lengthPrefix(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}

function aesSeal(key: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, ZERO_NONCE);
  const body = cipher.update(plaintext);
  const final = cipher.final();
  return Buffer.concat([body, final, cipher.getAuthTag()]);
}

function aesOpen(key: Uint8Array, aesPart: Buffer): Buffer {
  const body = aesPart.subarray(0, aesPart.length - GCM_TAG_BYTES);
  const tag = aesPart.subarray(aesPart.length - GCM_TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, ZERO_NONCE);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (cause) {
    throw new KsecError('cannot decrypt: the AES-GCM tag does not verify', {
      hint: 'the ciphertext was truncated or tampered with',
      cause,
    });
  }
}
