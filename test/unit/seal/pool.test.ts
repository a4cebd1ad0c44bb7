import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hybridDecrypt, hybridEncrypt } from '../../../src/seal/hybrid.js';
import { closePool, decryptMany, encryptMany, identifyMany, openSealQueue, poolWorkers, sealMany } from '../../../src/seal/pool.js';
import { identifyBatch, packEncryptJobs, sealPacked } from '../../../src/seal/pool-jobs.js';

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

describe('sealMany / openSealQueue', () => {
  const opens = (b64: string, job: { plaintext: Uint8Array; label: Uint8Array }) =>
    hybridDecrypt(privateKey, Buffer.from(b64, 'base64'), job.label).equals(job.plaintext);

  it('runs a small job inline without starting a worker', async () => {
    await closePool();
    const out = await sealMany(publicKey, jobs.slice(0, 5), { threads: 2 });
    expect(out.every((b64, i) => opens(b64, jobs[i]!))).toBe(true);
    expect(poolWorkers()).toBe(0);
  });

  it('seals submissions made one after another, with workers running while nothing waits, results per submission in order', async () => {
    await closePool();
    let progressed!: () => void;
    const firstChunk = new Promise<void>((resolve) => (progressed = resolve));
    const queue = openSealQueue({ threads: 2, threshold: 20, chunkSize: 3, onProgress: () => progressed() });
    const parts = [jobs.slice(0, 10), jobs.slice(10, 11), [], jobs.slice(11)];
    const tickets = parts.map((part) => queue.submit(publicKey, part));
    // nothing has asked for a result yet: only the worker can finish this chunk
    await firstChunk;
    expect(poolWorkers()).toBe(1);
    for (let p = parts.length - 1; p >= 0; p--) {
      const out = await queue.result(tickets[p]!);
      expect(out).toHaveLength(parts[p]!.length);
      expect(out.every((b64, i) => opens(b64, parts[p]![i]!))).toBe(true);
    }
    queue.close();
  });

  it('finishes on the main thread when a worker dies mid-run', async () => {
    await closePool();
    const queue = openSealQueue({ threads: 2, threshold: 1, chunkSize: 2 });
    const ticket = queue.submit(publicKey, jobs);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await closePool(); // terminates the worker with chunks in flight
    const out = await queue.result(ticket);
    expect(out.every((b64, i) => opens(b64, jobs[i]!))).toBe(true);
    queue.close();
  });

  it('packs jobs into one transferable buffer with each label once, and zeroes it after sealing', () => {
    const shared = Buffer.from('ns/shared');
    const some = jobs.slice(0, 6).map((j, i) => ({ plaintext: j.plaintext, label: i % 2 ? shared : j.label }));
    const packed = packEncryptJobs(some);
    expect(packed.labels).toHaveLength(4);
    expect(packed.data.byteOffset).toBe(0);
    expect(packed.data.byteLength).toBe(packed.data.buffer.byteLength);
    const out = sealPacked(publicKey, packed);
    expect(out.every((b64, i) => opens(b64, some[i]!))).toBe(true);
    expect(packed.data.every((b) => b === 0)).toBe(true);
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

describe('identifyMany', () => {
  it('builds each job when its chunk is handed out, reports every result once, and returns what identifyBatch does, without plaintext', async () => {
    const good = jobs.map((j) => ({ ciphertext: hybridEncrypt(publicKey, j.plaintext, j.label), label: j.label }));
    const tampered = Buffer.from(good[1]!.ciphertext);
    tampered[tampered.length - 1]! ^= 1;
    const all = [...good, { ciphertext: good[2]!.ciphertext, label: Buffer.from('wrong/label') }, { ciphertext: tampered, label: good[1]!.label }];
    const keys = [smallKey, otherKey, privateKey];
    const expected = identifyBatch(keys, all.map((j) => ({ ...j, order: [] })));
    for (const options of [{}, { threads: 2, threshold: 1 }]) {
      const built: number[] = [];
      const heard: number[] = [];
      const out = await identifyMany(
        keys,
        all.length,
        (i) => {
          built.push(i);
          // later jobs learn from earlier results: once a result came in, guess the key that opened it
          return { ...all[i]!, order: heard.length > 0 ? [2] : [] };
        },
        (i) => heard.push(i),
        options,
      );
      expect(out.map((r) => r.status)).toEqual(expected.map((r) => r.status));
      expect(out.every((r) => !('plaintext' in r))).toBe(true);
      expect([...built].sort((a, b) => a - b)).toEqual(all.map((_, i) => i));
      expect([...heard].sort((a, b) => a - b)).toEqual(all.map((_, i) => i));
      // the guess saved the other key's try on most values
      const tries = out.reduce((n, r) => n + r.tries, 0);
      expect(tries).toBeLessThan(expected.reduce((n, r) => n + r.tries, 0));
    }
  });
});
