/**
 * Big scans on every core. For paths, the main thread hands out batches of
 * names and each worker thread reads and scans its files itself (no copy of
 * the content between threads); for Git sources the main thread reads the
 * blobs and hands them out, and files that need their neighbours (kustomize
 * `envs`/`files`) stay on the main thread. Rules that look across files
 * (anti-patterns) never come here. At most two batches wait per worker, so
 * memory stays bounded.
 */
import { Worker } from 'node:worker_threads';
import { KsecError } from '../errors.js';
import type { RuleSelection } from './rules/index.js';
import type { FileScanOptions } from './scan-file.js';
import type { Source, SourceFile } from './sources/source.js';
import { provenanceOf, type Provenance, type ScanResult } from './types.js';

export interface WireFile extends Provenance {
  path: string;
  content: Uint8Array;
}

export interface WorkerSetup {
  families: string[];
  ids: string[] | null;
  baseline: string[] | null;
  sealed: FileScanOptions['sealed'];
  syntaxCheck: boolean;
  /** path sources: where the names in a batch are relative to, and the size limit */
  base?: string;
  maxFileSize?: number;
}

/** a batch: files read by the main thread, or names for the worker to read */
export type WorkerBatch = { files: WireFile[] } | { paths: string[] };

const BATCH_FILES = 64;
const BATCH_BYTES = 512 * 1024;
/** names are cheap to send, and each reply costs a worker about 0.3 ms: fewer, bigger batches */
const PATH_BATCH = 256;
const MAX_INFLIGHT = 2;

export async function scanInWorkers(
  source: Source,
  selection: RuleSelection,
  options: FileScanOptions,
  result: ScanResult,
  count: number,
  onFile: () => void,
  onMain: (file: SourceFile) => Promise<void>,
): Promise<void> {
  const workerData: WorkerSetup = {
    families: [...selection.families],
    ids: selection.ids ? [...selection.ids] : null,
    baseline: options.baseline ? [...options.baseline] : null,
    sealed: options.sealed ?? {},
    syntaxCheck: options.syntaxCheck !== false,
    ...(source.paths ? { base: source.paths.base, maxFileSize: source.paths.maxFileSize } : {}),
  };
  const workers = Array.from({ length: count }, () => new Worker(new URL('./worker.js', import.meta.url), { workerData }));
  const inflight = workers.map(() => 0);
  let failure: unknown;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  workers.forEach((worker, i) => {
    worker.on('message', (part: ScanResult) => {
      result.findings.push(...part.findings);
      result.errors.push(...part.errors);
      result.files += part.files;
      result.bytes += part.bytes;
      result.suppressed += part.suppressed;
      inflight[i]!--;
      signal();
    });
    worker.on('error', (err) => {
      failure ??= err;
      signal();
    });
  });
  const settle = () => new Promise<void>((resolve) => (wake = resolve));

  let batch: WireFile[] = [];
  let bytes = 0;
  const post = async (message: WorkerBatch) => {
    for (;;) {
      if (failure) return;
      let best = -1;
      inflight.forEach((n, i) => {
        if (n < MAX_INFLIGHT && (best === -1 || n < inflight[best]!)) best = i;
      });
      if (best !== -1) {
        inflight[best]!++;
        workers[best]!.postMessage(message);
        return;
      }
      await settle();
    }
  };
  const flush = async () => {
    if (batch.length === 0) return;
    await post({ files: batch });
    batch = [];
    bytes = 0;
  };

  try {
    if (source.paths) {
      const list = source.paths.list;
      for (let i = 0; i < list.length && !failure; i += PATH_BATCH) {
        const paths = list.slice(i, i + PATH_BATCH);
        for (let n = 0; n < paths.length; n++) onFile();
        await post({ paths });
      }
    }
    for await (const file of source.paths ? [] : source.files) {
      if (failure) break;
      onFile();
      if (file.content.includes('secretGenerator')) {
        await onMain(file); // reads envs/files next to it
        continue;
      }
      batch.push({ path: file.path, content: file.content, ...provenanceOf(file) });
      bytes += file.content.length;
      if (batch.length >= BATCH_FILES || bytes >= BATCH_BYTES) await flush();
    }
    await flush();
    while (!failure && inflight.some((n) => n > 0)) await settle();
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failure) {
    throw new KsecError(`a scan worker failed (${(failure as Error)?.name ?? 'error'})`, { hint: 'run again with KSEC_SCAN_WORKERS=0 and --debug, and report it', cause: failure });
  }
}
