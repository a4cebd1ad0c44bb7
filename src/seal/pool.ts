/**
 * Bulk RSA work on every core. Small inputs run inline (a worker costs tens
 * of milliseconds to start); above `threshold` jobs the input is cut into
 * chunks that the main thread and `threads - 1` workers take from one queue,
 * so the main thread works while the workers start. Workers are kept for the
 * next call and never keep the process alive while idle.
 */
import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { decryptBatch, encryptBatch, type DecryptJob, type DecryptResult, type EncryptJob } from './pool-jobs.js';
import type { WorkerRequest } from './pool-worker.js';

export type { DecryptJob, DecryptResult, EncryptJob } from './pool-jobs.js';

export interface PoolOptions {
  /** threads in all, the main one included; default: available cores */
  threads?: number;
  /** fewer jobs than this run inline; default 192 */
  threshold?: number;
  /** jobs per chunk; default 48 */
  chunkSize?: number;
  /** called with the number of jobs just finished (progress display) */
  onProgress?: (done: number) => void;
}

export const DEFAULT_THRESHOLD = 192;

/** Hybrid-encrypts every job with one public key; results in job order. */
export async function encryptMany(publicKey: KeyObject, jobs: EncryptJob[], options: PoolOptions = {}): Promise<Buffer[]> {
  const out = await runChunked(
    jobs,
    (chunk) => encryptBatch(publicKey, chunk),
    (id, chunk): WorkerRequest => ({ id, op: 'encrypt', key: publicKey, jobs: chunk }),
    options,
  );
  return out.map(asBuffer);
}

/** Tries every private key on every job (keys of the wrong size skipped); results in job order. */
export async function decryptMany(privateKeys: KeyObject[], jobs: DecryptJob[], options: PoolOptions = {}): Promise<DecryptResult[]> {
  const out = await runChunked(
    jobs,
    (chunk) => decryptBatch(privateKeys, chunk),
    (id, chunk): WorkerRequest => ({ id, op: 'decrypt', keys: privateKeys, jobs: chunk }),
    options,
  );
  return out.map((r) => (r.status === 'opened' ? { ...r, plaintext: asBuffer(r.plaintext) } : r));
}

/** Stops the idle workers (tests; the CLI just exits). */
export async function closePool(): Promise<void> {
  const all = workers.splice(0);
  await Promise.all(all.map((w) => w.terminate()));
}

const workers: Worker[] = [];

/** How many workers are alive (tests). */
export function poolWorkers(): number {
  return workers.length;
}
let nextId = 1;

async function runChunked<J, R>(
  jobs: J[],
  runLocal: (chunk: J[]) => R[],
  request: (id: number, chunk: J[]) => WorkerRequest,
  options: PoolOptions,
): Promise<R[]> {
  const threads = Math.max(1, options.threads ?? availableParallelism());
  if (threads === 1 || jobs.length < (options.threshold ?? DEFAULT_THRESHOLD)) {
    const out = runLocal(jobs);
    options.onProgress?.(jobs.length);
    return out;
  }

  const size = Math.max(1, options.chunkSize ?? 48);
  const queue: number[] = [];
  for (let start = 0; start < jobs.length; start += size) queue.push(start);
  const results: R[] = new Array<R>(jobs.length);
  const chunkAt = (start: number) => jobs.slice(start, start + size);
  const store = (start: number, out: R[]) => {
    out.forEach((r, i) => (results[start + i] = r));
    options.onProgress?.(out.length);
  };

  const pool = await ensureWorkers(threads - 1);
  const helpers = pool.map((worker) => drain(worker, queue, chunkAt, store, request));
  // The main thread takes chunks too, yielding between them so worker replies are handled.
  for (let start = queue.shift(); start !== undefined; start = queue.shift()) {
    store(start, runLocal(chunkAt(start)));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const leftovers = await Promise.all(helpers);
  // A worker that failed hands its chunk back: run those here.
  for (const start of leftovers.flat()) store(start, runLocal(chunkAt(start)));
  return results;
}

/** Feeds one worker from the queue until it is empty; returns the chunks it could not finish. */
async function drain<J, R>(
  worker: Worker,
  queue: number[],
  chunkAt: (start: number) => J[],
  store: (start: number, out: R[]) => void,
  request: (id: number, chunk: J[]) => WorkerRequest,
): Promise<number[]> {
  hold(worker, +1);
  try {
    for (let start = queue.shift(); start !== undefined; start = queue.shift()) {
      try {
        store(start, await send<R>(worker, request(nextId++, chunkAt(start))));
      } catch {
        forget(worker);
        return [start];
      }
    }
    return [];
  } finally {
    hold(worker, -1);
  }
}

/** A worker keeps the process alive only while some call waits for it. */
const busy = new Map<Worker, number>();
function hold(worker: Worker, delta: number): void {
  const n = (busy.get(worker) ?? 0) + delta;
  if (n > 0) busy.set(worker, n);
  else busy.delete(worker);
  if (n > 0) worker.ref();
  else worker.unref();
}

function send<R>(worker: Worker, req: WorkerRequest): Promise<R[]> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: { id: number; out?: R[]; error?: string }) => {
      if (msg.id !== req.id) return;
      cleanup();
      if (msg.error !== undefined || !msg.out) reject(new Error(msg.error ?? 'worker failed'));
      else resolve(msg.out);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = () => onError(new Error('worker exited'));
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(req);
  });
}

function forget(worker: Worker): void {
  const i = workers.indexOf(worker);
  if (i >= 0) workers.splice(i, 1);
  void worker.terminate();
}

async function ensureWorkers(count: number): Promise<Worker[]> {
  if (workers.length < count) {
    const { Worker } = await import('node:worker_threads');
    while (workers.length < count) {
      const worker = import.meta.url.endsWith('.ts')
        ? // Running from TypeScript sources (tests, tsx): load the worker through tsx.
          new Worker(
            `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(new URL('./pool-worker.ts', import.meta.url).href)}); })`,
            { eval: true },
          )
        : new Worker(new URL('./pool-worker.js', import.meta.url));
      worker.on('error', () => forget(worker));
      worker.unref();
      workers.push(worker);
    }
  }
  return workers.slice(0, count);
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
