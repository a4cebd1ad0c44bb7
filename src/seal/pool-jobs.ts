/**
 * The RSA jobs a pool worker (or the main thread) runs on a batch. Shared by
 * pool.ts and pool-worker.ts so both run exactly the same code.
 */
import type { KeyObject } from 'node:crypto';
import { KsecError } from '../errors.js';
import { hybridDecrypt, hybridEncryptManyBase64, parseHybridCiphertext } from './hybrid.js';

export interface EncryptJob {
  plaintext: Uint8Array;
  label: Uint8Array;
}

export interface DecryptJob {
  ciphertext: Uint8Array;
  label: Uint8Array;
}

/**
 * opened: `keyIndex` opened it. no-key: no key opens it with this label (wrong
 * key, scope, name or namespace). tampered: the RSA part opened but the AES tag
 * does not verify. invalid: the layout is broken (message says how; no value).
 */
export type DecryptResult =
  | { status: 'opened'; plaintext: Buffer; keyIndex: number }
  | { status: 'no-key' }
  | { status: 'tampered'; message: string }
  | { status: 'invalid'; message: string };

/**
 * Encrypt jobs packed for a worker: every plaintext in one fresh buffer that
 * is transferred, not copied, and each distinct label sent once.
 */
export interface PackedEncryptJobs {
  data: Uint8Array;
  /** end offset of each plaintext in `data` */
  ends: Uint32Array;
  labels: Uint8Array[];
  /** index into `labels` for each job */
  labelOf: Uint32Array;
}

export function encryptBatch(publicKey: KeyObject, jobs: EncryptJob[]): Buffer[] {
  return sealBatch(publicKey, jobs).map((b64) => Buffer.from(b64, 'base64'));
}

/** Hybrid-encrypts each job; results in base64, in job order. */
export function sealBatch(publicKey: KeyObject, jobs: EncryptJob[]): string[] {
  return hybridEncryptManyBase64(
    publicKey,
    jobs.map((j) => j.plaintext),
    jobs.map((j) => j.label),
  );
}

export function packEncryptJobs(jobs: EncryptJob[]): PackedEncryptJobs {
  let total = 0;
  for (const job of jobs) total += job.plaintext.length;
  const data = new Uint8Array(total);
  const ends = new Uint32Array(jobs.length);
  const labels: Uint8Array[] = [];
  const labelIndex = new Map<Uint8Array, number>();
  const labelOf = new Uint32Array(jobs.length);
  let at = 0;
  jobs.forEach((job, i) => {
    data.set(job.plaintext, at);
    ends[i] = at += job.plaintext.length;
    let l = labelIndex.get(job.label);
    if (l === undefined) labelIndex.set(job.label, (l = labels.push(job.label) - 1));
    labelOf[i] = l;
  });
  return { data, ends, labels, labelOf };
}

/** sealBatch on packed jobs (in a worker); the plaintext buffer is zeroed afterwards. */
export function sealPacked(publicKey: KeyObject, packed: PackedEncryptJobs): string[] {
  const { data, ends, labels, labelOf } = packed;
  try {
    const plaintexts = Array.from(ends, (end, i) => data.subarray(i === 0 ? 0 : ends[i - 1]!, end));
    return hybridEncryptManyBase64(
      publicKey,
      plaintexts,
      Array.from(labelOf, (l) => labels[l]!),
    );
  } finally {
    data.fill(0);
  }
}

export function decryptBatch(privateKeys: KeyObject[], jobs: DecryptJob[]): DecryptResult[] {
  const sizes = privateKeys.map((k) => Math.ceil((k.asymmetricKeyDetails?.modulusLength ?? 0) / 8));
  return jobs.map((job): DecryptResult => {
    let rsaLength: number;
    try {
      rsaLength = parseHybridCiphertext(job.ciphertext).rsaLength;
    } catch (err) {
      return { status: 'invalid', message: err instanceof KsecError ? err.message : 'invalid ciphertext' };
    }
    for (let i = 0; i < privateKeys.length; i++) {
      if (sizes[i] !== rsaLength) continue;
      try {
        return { status: 'opened', plaintext: hybridDecrypt(privateKeys[i]!, job.ciphertext, job.label), keyIndex: i };
      } catch (err) {
        if (err instanceof KsecError && /tag does not verify/.test(err.message)) return { status: 'tampered', message: err.message };
      }
    }
    return { status: 'no-key' };
  });
}

/**
 * Which key opens a sealed value (`ksec keys inventory`). `order` lists the
 * indices of the keys to try first, most likely first; the other keys follow
 * in their given order. With `sticky`, the key that opened the previous job
 * of the batch goes before `order` (the caller had no better guess).
 */
export interface IdentifyJob {
  ciphertext: Uint8Array;
  label: Uint8Array;
  order: number[];
  sticky?: boolean;
}

/**
 * `tries`: RSA private-key operations spent on the job, at most one per key
 * (keys of another modulus size are skipped without one). tampered: `keyIndex`
 * opens the session key but the AES-GCM tag does not verify. No plaintext
 * leaves the function: it is zeroed as soon as the tag is checked.
 */
export type IdentifyResult =
  | { status: 'opened'; keyIndex: number; tries: number }
  | { status: 'no-key'; tries: number }
  | { status: 'tampered'; keyIndex: number; tries: number }
  | { status: 'invalid'; message: string; tries: 0 };

export function identifyBatch(privateKeys: KeyObject[], jobs: IdentifyJob[]): IdentifyResult[] {
  const sizes = privateKeys.map((k) => Math.ceil((k.asymmetricKeyDetails?.modulusLength ?? 0) / 8));
  let previous = -1;
  return jobs.map((job): IdentifyResult => {
    let rsaLength: number;
    try {
      rsaLength = parseHybridCiphertext(job.ciphertext).rsaLength;
    } catch (err) {
      return { status: 'invalid', message: err instanceof KsecError ? err.message : 'invalid ciphertext', tries: 0 };
    }
    const order = job.sticky && previous >= 0 ? [previous, ...job.order] : job.order;
    const tried = new Set<number>();
    let tries = 0;
    const attempt = (i: number): IdentifyResult | undefined => {
      if (tried.has(i) || i < 0 || i >= privateKeys.length) return undefined;
      tried.add(i);
      if (sizes[i] !== rsaLength) return undefined;
      tries++;
      try {
        hybridDecrypt(privateKeys[i]!, job.ciphertext, job.label).fill(0);
        previous = i;
        return { status: 'opened', keyIndex: i, tries };
      } catch (err) {
        if (err instanceof KsecError && /tag does not verify/.test(err.message)) return { status: 'tampered', keyIndex: i, tries };
        return undefined;
      }
    };
    for (const i of order) {
      const r = attempt(i);
      if (r) return r;
    }
    for (let i = 0; i < privateKeys.length; i++) {
      const r = attempt(i);
      if (r) return r;
    }
    return { status: 'no-key', tries };
  });
}
