/**
 * A scan on worker threads (worker.ts). For path sources the main thread
 * hands out batches of names and each worker reads and scans those files
 * itself; for Git sources the main thread reads the blobs and hands out
 * batches of files, except files that read their neighbours (kustomize
 * `secretGenerator`), which it scans itself. Each worker answers each batch
 * with a partial ScanResult, merged into the caller's. At most MAX_INFLIGHT
 * batches wait per worker. Rules that look across files (anti-patterns)
 * never come here.
 */
import { Worker } from 'node:worker_threads';
import { KsecError } from '../errors.js';
import type { RuleSelection } from './rules/index.js';
import type { FileScanOptions } from './scan-file.js';
import type { Source, SourceFile } from './sources/source.js';
import { provenanceOf, type Provenance, type ScanResult } from './types.js';

/** A file as posted to a worker (structured clone: no functions). */
export interface WireFile extends Provenance {
  path: string;
  content: Uint8Array;
}

/** A worker's `workerData`: the rule selection and file options, as clonable values. */
export interface WorkerSetup {
  families: string[];
  ids: string[] | null;
  baseline: string[] | null;
  sealed: FileScanOptions['sealed'];
  syntaxCheck: boolean;
  sopsCreationRules?: FileScanOptions['sopsCreationRules'];
  /** path sources: where the names in a batch are relative to, and the read limit */
  base?: string;
  readLimit?: number;
  /** the user's --max-file-size (FileScanOptions.maxFileSize) */
  maxFileSize?: number;
}

/** a batch: files read by the main thread, or names for the worker to read */
export type WorkerBatch = { files: WireFile[] } | { paths: string[] };

/** a batch of files ends at this many files or bytes, whichever comes first */
const BATCH_FILES = 64;
const BATCH_BYTES = 512 * 1024;
/** names per batch for path sources */
const PATH_BATCH = 256;
/** batches posted to one worker and not yet answered */
const MAX_INFLIGHT = 2;

/**
 * Scans `source` on `count` workers into `result`. `onFile` is called once per
 * file handed out or scanned here, `onMain` scans a file on this thread. A
 * worker's failure ends the scan with a KsecError.
 */
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
    ...(options.sopsCreationRules ? { sopsCreationRules: options.sopsCreationRules } : {}),
    ...(options.maxFileSize !== undefined ? { maxFileSize: options.maxFileSize } : {}),
    ...(source.paths ? { base: source.paths.base, readLimit: source.paths.maxFileSize } : {}),
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
      if (part.oversize) result.oversize = (result.oversize ?? 0) + part.oversize;
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
