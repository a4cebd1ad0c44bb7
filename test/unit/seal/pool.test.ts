import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hybridDecrypt, hybridEncrypt } from '../../../src/seal/hybrid.js';
import { closePool, decryptMany, encryptMany, poolWorkers } from '../../../src/seal/pool.js';

let publicKey: KeyObject;
let privateKey: KeyObject;
let otherKey: KeyObject;
let smallKey: KeyObject;
beforeAll(() => {
  ({ publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
  otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  smallKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
});
afterAll(() => closePool());

const jobs = Array.from({ length: 50 }, (_, i) => ({
  plaintext: Buffer.from(`value-${i}-${'x'.repeat(i)}`),
  label: Buffer.from(i % 3 === 0 ? '' : `ns/name-${i}`),
}));

describe('encryptMany', () => {
  it('gives the same results in order inline and with workers', async () => {
    for (const options of [{}, { threads: 2, threshold: 1, chunkSize: 7 }, { threads: 3, threshold: 1, chunkSize: 1 }]) {
      const out = await encryptMany(publicKey, jobs, options);
      expect(out).toHaveLength(jobs.length);
      out.forEach((ct, i) => {
        expect(Buffer.isBuffer(ct)).toBe(true);
        expect(hybridDecrypt(privateKey, ct, jobs[i]!.label).equals(jobs[i]!.plaintext)).toBe(true);
      });
    }
    expect(poolWorkers()).toBe(2);
  });

  it('handles an empty job list', async () => {
    expect(await encryptMany(publicKey, [], { threads: 2, threshold: 0 })).toEqual([]);
  });
});

describe('decryptMany', () => {
  it('tries every key, skips keys of another size, and reports no-key / tampered / invalid', async () => {
    const good = jobs.map((j) => ({ ciphertext: hybridEncrypt(publicKey, j.plaintext, j.label), label: j.label }));
    const tampered = Buffer.from(good[1]!.ciphertext);
    tampered[tampered.length - 1]! ^= 1;
    const all = [
      ...good,
      { ciphertext: good[2]!.ciphertext, label: Buffer.from('wrong/label') },
      { ciphertext: tampered, label: good[1]!.label },
      { ciphertext: Buffer.from([0, 5, 1]), label: Buffer.alloc(0) },
    ];
    for (const options of [{}, { threads: 2, threshold: 1, chunkSize: 4 }]) {
      const out = await decryptMany([smallKey, otherKey, privateKey], all, options);
      good.forEach((_, i) => {
        const r = out[i]!;
        expect(r.status).toBe('opened');
        if (r.status === 'opened') {
          expect(r.keyIndex).toBe(2);
          expect(Buffer.isBuffer(r.plaintext)).toBe(true);
          expect(r.plaintext.equals(jobs[i]!.plaintext)).toBe(true);
        }
      });
      expect(out[good.length]!.status).toBe('no-key');
      expect(out[good.length + 1]!.status).toBe('tampered');
      expect(out[good.length + 2]).toMatchObject({ status: 'invalid', message: expect.stringMatching(/too short/) });
    }
  });
});
