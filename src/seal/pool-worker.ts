/** A pool worker: runs batches of RSA jobs sent by pool.ts and posts the results back. */
import { parentPort } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import { decryptBatch, identifyBatch, sealPacked, type DecryptJob, type IdentifyJob, type PackedEncryptJobs } from './pool-jobs.js';

export type WorkerRequest =
  | { id: number; op: 'seal'; key: KeyObject; jobs: PackedEncryptJobs }
  | { id: number; op: 'decrypt'; keys: KeyObject[]; jobs: DecryptJob[] }
  | { id: number; op: 'identify'; keys: KeyObject[]; jobs: IdentifyJob[] };

export type WorkerReply = { id: number; out: unknown[] } | { id: number; error: string };

parentPort?.on('message', (req: WorkerRequest) => {
  try {
    // seal results are base64 strings: cloning them is a plain copy, no Buffer pool slab travels along
    const out =
      req.op === 'seal' ? sealPacked(req.key, req.jobs) : req.op === 'identify' ? identifyBatch(req.keys, req.jobs) : decryptBatch(req.keys, req.jobs);
    parentPort!.postMessage({ id: req.id, out } satisfies WorkerReply);
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: (err as Error).message } satisfies WorkerReply);
  }
});
