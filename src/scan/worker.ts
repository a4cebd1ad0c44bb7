/** A scan worker thread: reads (for paths) and scans the batches parallel.ts sends, with the options it was started with. */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerBatch, WorkerSetup } from './parallel.js';
import { readPathSync } from './sources/read-path.js';
import type { RuleSelection } from './rules/index.js';
import { scanSourceFile, type FileScanOptions } from './scan-file.js';
import type { ScanResult } from './types.js';

const setup = workerData as WorkerSetup;
const selection = {
  families: new Set(setup.families),
  ...(setup.ids ? { ids: new Set(setup.ids) } : {}),
} as RuleSelection;
const options: FileScanOptions = {
  ...(setup.baseline ? { baseline: new Set(setup.baseline) } : {}),
  sealed: setup.sealed ?? {},
  syntaxCheck: setup.syntaxCheck,
  ...(setup.sopsCreationRules ? { sopsCreationRules: setup.sopsCreationRules } : {}),
  ...(setup.maxFileSize !== undefined ? { maxFileSize: setup.maxFileSize } : {}),
};
const unknown = async () => undefined;

parentPort!.on('message', async (batch: WorkerBatch) => {
  const part: ScanResult = { findings: [], errors: [], files: 0, bytes: 0, suppressed: 0 };
  if ('paths' in batch) {
    for (const path of batch.paths) {
      // borrowed: each file is scanned to the end before the next is read
      const file = readPathSync(path, setup.base ?? '', setup.readLimit, true);
      if (file) await scanSourceFile(file, selection, options, part);
    }
  } else {
    for (const f of batch.files) {
      const content = Buffer.from(f.content.buffer, f.content.byteOffset, f.content.byteLength);
      await scanSourceFile({ ...f, content, readRelative: unknown }, selection, options, part);
    }
  }
  parentPort!.postMessage(part);
});
