/**
 * The RSA jobs a pool worker (or the main thread) runs on a batch. Shared by
 * pool.ts and pool-worker.ts so both run exactly the same code.
 */
import type { KeyObject } from 'node:crypto';
import { KsecError } from '../errors.js';
import { hybridDecrypt, hybridEncrypt, parseHybridCiphertext } from './hybrid.js';

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

export function encryptBatch(publicKey: KeyObject, jobs: EncryptJob[]): Buffer[] {
  return jobs.map((job) => hybridEncrypt(publicKey, job.plaintext, job.label));
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
