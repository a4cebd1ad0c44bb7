import { constants, generateKeyPairSync, privateDecrypt, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { KsecError } from '../../../src/errors.js';
import {
  hybridDecrypt,
  hybridEncrypt,
  hybridEncryptManyBase64,
  hybridEncryptWithSessionKey,
  parseHybridCiphertext,
} from '../../../src/seal/hybrid.js';

const CANARY = 'canary-hybrid-7f3a9c-do-not-print';
const label = Buffer.from('default/db');

let publicKey: KeyObject;
let privateKey: KeyObject;
let otherPrivate: KeyObject;

beforeAll(() => {
  ({ publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
  otherPrivate = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
});

function expectKsecError(fn: () => unknown, pattern: RegExp): KsecError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KsecError);
    const e = err as KsecError;
    expect(e.message).toMatch(pattern);
    expect(e.message).not.toContain(CANARY);
    expect(String(e.hint)).not.toContain(CANARY);
    return e;
  }
  throw new Error('expected a KsecError');
}

describe('hybridEncrypt / hybridDecrypt', () => {
  it('round-trips text, binary and empty plaintext', () => {
    const binary = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff));
    for (const pt of [Buffer.from(CANARY), binary, Buffer.alloc(0), Buffer.from('ünïcødé ✓ 秘密')]) {
      const ct = hybridEncrypt(publicKey, pt, label);
      expect(hybridDecrypt(privateKey, ct, label).equals(pt)).toBe(true);
    }
  });

  it('uses the layout uint16be(len(rsa)) || rsa || aes+tag', () => {
    const pt = Buffer.from(CANARY);
    const ct = hybridEncrypt(publicKey, pt, label);
    expect(ct.readUInt16BE(0)).toBe(256);
    expect(ct.length).toBe(2 + 256 + pt.length + 16);
    const parts = parseHybridCiphertext(ct);
    expect(parts.rsaLength).toBe(256);
    expect(parts.rsaPart.length).toBe(256);
    expect(parts.aesPart.length).toBe(pt.length + 16);
    expect(ct.includes(pt)).toBe(false);
  });

  it('wraps the session key with RSA-OAEP SHA-256 and the label, and the body with AES-256-GCM under a zero nonce', () => {
    const sessionKey = Buffer.alloc(32, 0x42);
    const pt = Buffer.from('hello');
    const ct = hybridEncryptWithSessionKey(publicKey, sessionKey, pt, label);
    const { rsaPart, aesPart } = parseHybridCiphertext(ct);
    const recovered = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label },
      rsaPart,
    );
    expect(recovered.equals(sessionKey)).toBe(true);
    // Known answer, computed independently with Python's cryptography AESGCM(key 0x42*32).encrypt(nonce 0*12, b'hello', None)
    expect(aesPart.toString('hex')).toBe('9cd7939533d4c2aae9e33f5bcafde118830a50f0a1');
    // same key + zero nonce is deterministic: a second seal yields the same AES part
    const again = parseHybridCiphertext(hybridEncryptWithSessionKey(publicKey, sessionKey, pt, label)).aesPart;
    expect(again.equals(aesPart)).toBe(true);
  });

  it('uses a fresh session key each time', () => {
    const a = hybridEncrypt(publicKey, Buffer.from('x'), label);
    const b = hybridEncrypt(publicKey, Buffer.from('x'), label);
    expect(parseHybridCiphertext(a).aesPart.equals(parseHybridCiphertext(b).aesPart)).toBe(false);
  });

  it('refuses the wrong label (scope) and the wrong key', () => {
    const ct = hybridEncrypt(publicKey, Buffer.from(CANARY), label);
    expectKsecError(() => hybridDecrypt(privateKey, ct, Buffer.from('default/other')), /cannot decrypt/);
    expectKsecError(() => hybridDecrypt(privateKey, ct, Buffer.alloc(0)), /cannot decrypt/);
    expectKsecError(() => hybridDecrypt(otherPrivate, ct, label), /cannot decrypt/);
  });

  it('detects tampering in the AES part and in the RSA part', () => {
    const ct = hybridEncrypt(publicKey, Buffer.from(CANARY), label);
    const tamperedAes = Buffer.from(ct);
    tamperedAes[tamperedAes.length - 20]! ^= 1;
    expectKsecError(() => hybridDecrypt(privateKey, tamperedAes, label), /tag does not verify/);
    const tamperedRsa = Buffer.from(ct);
    tamperedRsa[10]! ^= 1;
    expectKsecError(() => hybridDecrypt(privateKey, tamperedRsa, label), /cannot decrypt/);
  });

  it('rejects truncated input structurally', () => {
    const ct = hybridEncrypt(publicKey, Buffer.from(CANARY), label);
    expectKsecError(() => parseHybridCiphertext(Buffer.alloc(0)), /too short/);
    expectKsecError(() => parseHybridCiphertext(Buffer.from([1])), /too short/);
    expectKsecError(() => parseHybridCiphertext(ct.subarray(0, 200)), /length prefix says 256/);
    expectKsecError(() => parseHybridCiphertext(ct.subarray(0, 2 + 256 + 10)), /GCM tag/);
    expectKsecError(() => hybridDecrypt(privateKey, ct.subarray(0, ct.length - 1), label), /tag does not verify/);
    expectKsecError(() => parseHybridCiphertext(Buffer.from([0, 0, 1, 2])), /too short/);
  });

  it('accepts a Uint8Array view that is not a Buffer', () => {
    const ct = hybridEncrypt(publicKey, new Uint8Array([1, 2, 3]), new Uint8Array());
    const view = new Uint8Array(ct.buffer, ct.byteOffset, ct.byteLength);
    expect([...hybridDecrypt(privateKey, view, new Uint8Array())]).toEqual([1, 2, 3]);
  });
});

describe('hybridEncryptManyBase64', () => {
  it('seals each value for its own label, each with a fresh session key, in the layout hybridDecrypt opens', () => {
    const big = Buffer.alloc(9000, 7); // longer than the reused output buffer
    const plaintexts = [Buffer.from(CANARY), Buffer.alloc(0), big, Buffer.from(CANARY), Buffer.from('ünïcødé')];
    const other = Buffer.from('other/name');
    const labels = [label, label, other, label, Buffer.alloc(0)];
    const out = hybridEncryptManyBase64(publicKey, plaintexts, labels);
    expect(out).toHaveLength(plaintexts.length);
    out.forEach((b64, i) => {
      expect(b64).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(b64).not.toContain(Buffer.from(CANARY).toString('base64'));
      const ct = Buffer.from(b64, 'base64');
      expect(parseHybridCiphertext(ct).rsaLength).toBe(256);
      expect(hybridDecrypt(privateKey, ct, labels[i]!).equals(plaintexts[i]!)).toBe(true);
    });
    // the same plaintext twice: different session keys, so different ciphertexts
    expect(out[0]).not.toBe(out[3]);
    expect(Buffer.from(out[0]!, 'base64').subarray(2, 258).equals(Buffer.from(out[3]!, 'base64').subarray(2, 258))).toBe(false);
    expect(() => hybridDecrypt(privateKey, Buffer.from(out[2]!, 'base64'), label)).toThrow(KsecError);
  });

  it('returns nothing for no values', () => {
    expect(hybridEncryptManyBase64(publicKey, [], [])).toEqual([]);
  });
});
