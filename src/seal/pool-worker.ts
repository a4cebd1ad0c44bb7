/** A pool worker: runs batches of RSA jobs sent by pool.ts and posts the results back. */
import { parentPort } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import { decryptBatch, encryptBatch, type DecryptJob, type EncryptJob } from './pool-jobs.js';

export type WorkerRequest =
  | { id: number; op: 'encrypt'; key: KeyObject; jobs: EncryptJob[] }
  | { id: number; op: 'decrypt'; keys: KeyObject[]; jobs: DecryptJob[] };

parentPort?.on('message', (req: WorkerRequest) => {
  try {
    if (req.op === 'encrypt') {
      // results are copied, not transferred: small Buffers share Node's allocation pool
      parentPort!.postMessage({ id: req.id, out: encryptBatch(req.key, req.jobs) });
    } else {
      parentPort!.postMessage({ id: req.id, out: decryptBatch(req.keys, req.jobs) });
    }
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: (err as Error).message });
  }
});

