/**
 * Bulk RSA work on every core. Small inputs run inline (a worker costs tens
 * of milliseconds to start). Above `threshold` jobs the work is cut into
 * chunks that `threads - 1` workers take from a queue as soon as it is
 * submitted, while the main thread takes chunks too when it waits for a
 * result. Each worker holds two chunks so it never idles while the main
 * thread is busy with a chunk of its own. Workers are kept for the next
 * call and never keep the process alive while idle.
 *
 * Sealing is also streamable (openSealQueue): callers submit jobs as they
 * read their input and collect results later, so the workers encrypt while
 * the main thread parses and renders.
 */
import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Transferable, Worker } from 'node:worker_threads';
import {
  decryptBatch,
  identifyBatch,
  packEncryptJobs,
  sealBatch,
  type DecryptJob,
  type DecryptResult,
  type EncryptJob,
  type IdentifyJob,
  type IdentifyResult,
} from './pool-jobs.js';
import type { WorkerReply, WorkerRequest } from './pool-worker.js';

export type { DecryptJob, DecryptResult, EncryptJob, IdentifyJob, IdentifyResult } from './pool-jobs.js';

export interface PoolOptions {
  /** threads in all, the main one included; default: available cores */
  threads?: number;
  /** fewer jobs than this run inline; default 192 */
  threshold?: number;
  /** jobs per chunk; default 64 for sealing (~8 ms of RSA-4096 public operations), 4 for decrypting */
  chunkSize?: number;
  /** called with the number of jobs just finished (progress display) */
  onProgress?: (done: number) => void;
}

export const DEFAULT_THRESHOLD = 192;
const SEAL_CHUNK = 64;
// private-key operations take ~5 ms each at RSA-4096: small chunks keep the tail short
const DECRYPT_CHUNK = 4;
const IN_FLIGHT = 2;

/** A stream of seal jobs: submit() as input is read, result() when the ciphertexts are needed. */
export interface SealQueue {
  submit(publicKey: KeyObject, jobs: EncryptJob[]): Ticket<string>;
  /** base64 ciphertexts in job order; the calling (main) thread encrypts queued chunks while it waits */
  result(ticket: Ticket<string>): Promise<string[]>;
  /** drops what is still queued (after an error) */
  close(): void;
}

export function openSealQueue(options: PoolOptions = {}): SealQueue {
  const queue = new WorkQueue<string>(options, SEAL_CHUNK);
  return {
    submit: (publicKey, jobs) =>
      queue.add(jobs.length, (start, end) => ({
        local: () => sealBatch(publicKey, jobs.slice(start, end)),
        request: (id) => {
          const packed = packEncryptJobs(jobs.slice(start, end));
          return { req: { id, op: 'seal', key: publicKey, jobs: packed }, transfer: [packed.data.buffer as ArrayBuffer] };
        },
      })),
    result: (ticket) => queue.result(ticket),
    close: () => queue.close(),
  };
}

/** Hybrid-encrypts every job with one public key; base64 results in job order. */
export async function sealMany(publicKey: KeyObject, jobs: EncryptJob[], options: PoolOptions = {}): Promise<string[]> {
  const queue = openSealQueue(options);
  try {
    return await queue.result(queue.submit(publicKey, jobs));
  } finally {
    queue.close();
  }
}

/** Hybrid-encrypts every job with one public key; results in job order. */
export async function encryptMany(publicKey: KeyObject, jobs: EncryptJob[], options: PoolOptions = {}): Promise<Buffer[]> {
  return (await sealMany(publicKey, jobs, options)).map((b64) => Buffer.from(b64, 'base64'));
}

/** Tries every private key on every job (keys of the wrong size skipped); results in job order. */
export async function decryptMany(privateKeys: KeyObject[], jobs: DecryptJob[], options: PoolOptions = {}): Promise<DecryptResult[]> {
  const queue = new WorkQueue<DecryptResult>(options, DECRYPT_CHUNK);
  try {
    const ticket = queue.add(jobs.length, (start, end) => ({
      local: () => decryptBatch(privateKeys, jobs.slice(start, end)),
      request: (id) => ({ req: { id, op: 'decrypt', keys: privateKeys, jobs: jobs.slice(start, end) }, transfer: [] }),
    }));
    const out = await queue.result(ticket);
    return out.map((r) => (r.status === 'opened' ? { ...r, plaintext: asBuffer(r.plaintext) } : r));
  } finally {
    queue.close();
  }
}

/**
 * Which key opens each of `count` values (ksec keys inventory). `job(i)` is
 * asked for job i only when its chunk is handed to a thread, and `onResult`
 * hears every result as it arrives: the caller's guess of the likely key
 * for later jobs learns from earlier ones while the pool runs. Results in
 * job order; no plaintext is returned.
 */
export async function identifyMany(
  privateKeys: KeyObject[],
  count: number,
  job: (i: number) => IdentifyJob,
  onResult: (i: number, result: IdentifyResult) => void = () => {},
  options: PoolOptions = {},
): Promise<IdentifyResult[]> {
  const queue = new WorkQueue<IdentifyResult>(options, DECRYPT_CHUNK);
  const jobsOf = (start: number, end: number) => Array.from({ length: end - start }, (_, n) => job(start + n));
  try {
    const ticket = queue.add(count, (start, end) => ({
      local: () => identifyBatch(privateKeys, jobsOf(start, end)),
      request: (id) => ({ req: { id, op: 'identify', keys: privateKeys, jobs: jobsOf(start, end) }, transfer: [] }),
      stored: (out) => out.forEach((r, n) => onResult(start + n, r)),
    }));
    return await queue.result(ticket);
  } finally {
    queue.close();
  }
}

/** Stops the idle workers (tests; the CLI just exits). */
export async function closePool(): Promise<void> {
  const all = workers.splice(0);
  await Promise.all(all.map((w) => w.worker.terminate()));
}

/** How many workers are alive (tests). */
export function poolWorkers(): number {
  return workers.length;
}

/** The jobs of one submission and where their results go. */
export interface Ticket<R> {
  readonly results: R[];
  remaining: number;
}

interface Chunk<R> {
  ticket: Ticket<R>;
  start: number;
  count: number;
  local(): R[];
  request(id: number): { req: WorkerRequest; transfer: Transferable[] };
  /** hears the chunk's results as they are stored */
  stored?(out: R[]): void;
}

type ChunkMaker<R> = (start: number, end: number) => Pick<Chunk<R>, 'local' | 'request' | 'stored'>;

class WorkQueue<R> {
  private readonly pending: Chunk<R>[] = [];
  private readonly threads: number;
  private readonly threshold: number;
  private readonly chunkSize: number;
  private submitted = 0;
  private pool: PoolWorker[] | undefined;
  private starting = false;
  private closed = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly options: PoolOptions,
    defaultChunk: number,
  ) {
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.threshold = options.threshold ?? DEFAULT_THRESHOLD;
    this.chunkSize = Math.max(1, options.chunkSize ?? defaultChunk);
  }

  add(count: number, make: ChunkMaker<R>): Ticket<R> {
    const ticket: Ticket<R> = { results: new Array<R>(count), remaining: count };
    for (let start = 0; start < count; start += this.chunkSize) {
      const end = Math.min(count, start + this.chunkSize);
      this.pending.push({ ticket, start, count: end - start, ...make(start, end) });
    }
    this.submitted += count;
    if (this.threads > 1 && this.submitted >= this.threshold && !this.starting) {
      this.starting = true;
      ensureWorkers(this.threads - 1).then(
        (pool) => {
          this.pool = pool;
          this.pump();
        },
        () => {}, // no workers: the main thread does everything
      );
    }
    this.pump();
    return ticket;
  }

  async result(ticket: Ticket<R>): Promise<R[]> {
    while (ticket.remaining > 0) {
      const mine = this.pending.findIndex((c) => c.ticket === ticket);
      const chunk = mine >= 0 ? this.pending.splice(mine, 1)[0] : this.pending.shift();
      if (chunk) {
        this.store(chunk, chunk.local());
        // let worker replies in so the workers get their next chunks
        if (this.starting) await new Promise<void>((resolve) => setImmediate(resolve));
      } else {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      }
    }
    return ticket.results;
  }

  close(): void {
    this.closed = true;
    this.pending.length = 0;
    this.wake();
  }

  private store(chunk: Chunk<R>, out: R[]): void {
    const { ticket, start } = chunk;
    for (let i = 0; i < chunk.count; i++) ticket.results[start + i] = out[i]!;
    ticket.remaining -= chunk.count;
    chunk.stored?.(out);
    this.options.onProgress?.(chunk.count);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private pump(): void {
    if (!this.pool || this.closed) return;
    for (const w of this.pool) {
      while (w.inFlight.size < IN_FLIGHT && this.pending.length > 0 && workers.includes(w)) this.send(w, this.pending.shift()!);
    }
  }

  private send(w: PoolWorker, chunk: Chunk<R>): void {
    const id = nextId++;
    w.inFlight.set(id, (reply) => {
      if (this.closed) return;
      if (reply instanceof Error || 'error' in reply) {
        // a failed worker hands its chunk back; run where it fails loudly or succeeds
        forget(w);
        this.pending.unshift(chunk);
        this.wake();
      } else {
        this.store(chunk, reply.out as R[]);
      }
      this.pump();
    });
    w.worker.ref();
    const { req, transfer } = chunk.request(id);
    w.worker.postMessage(req, transfer);
  }
}

interface PoolWorker {
  worker: Worker;
  /** request id -> its reply handler */
  inFlight: Map<number, (reply: WorkerReply | Error) => void>;
}

const workers: PoolWorker[] = [];
let nextId = 1;

function settle(w: PoolWorker, id: number, reply: WorkerReply | Error): void {
  const handler = w.inFlight.get(id);
  if (!handler) return;
  w.inFlight.delete(id);
  // a worker keeps the process alive only while some call waits for it
  if (w.inFlight.size === 0) w.worker.unref();
  handler(reply);
}

function forget(w: PoolWorker): void {
  const i = workers.indexOf(w);
  if (i >= 0) workers.splice(i, 1);
  const gone = new Error('worker failed');
  for (const id of [...w.inFlight.keys()]) settle(w, id, gone);
  void w.worker.terminate();
}

async function ensureWorkers(count: number): Promise<PoolWorker[]> {
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
      const w: PoolWorker = { worker, inFlight: new Map() };
      worker.on('message', (reply: WorkerReply) => settle(w, reply.id, reply));
      worker.on('error', () => forget(w));
      worker.on('exit', () => forget(w));
      worker.unref();
      workers.push(w);
    }
  }
  return workers.slice(0, count);
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
