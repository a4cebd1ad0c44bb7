/** A scan worker thread: scans the batches of files parallel.ts sends, with the options it was started with. */
import { parentPort, workerData } from 'node:worker_threads';
import type { WireFile, WorkerSetup } from './parallel.js';
import type { RuleSelection } from './rules/index.js';
import { scanSourceFile, type ScanOptions } from './scan.js';
import type { ScanResult } from './types.js';

const setup = workerData as WorkerSetup;
const selection = {
  families: new Set(setup.families),
  ...(setup.ids ? { ids: new Set(setup.ids) } : {}),
} as RuleSelection;
const options: ScanOptions = {
  ...(setup.baseline ? { baseline: new Set(setup.baseline) } : {}),
  sealed: setup.sealed ?? {},
};
const unknown = async () => undefined;

parentPort!.on('message', async (files: WireFile[]) => {
  const part: ScanResult = { findings: [], errors: [], files: 0, bytes: 0, suppressed: 0 };
  for (const f of files) {
    const content = Buffer.from(f.content.buffer, f.content.byteOffset, f.content.byteLength);
    await scanSourceFile({ ...f, content, readRelative: unknown }, selection, options, part);
  }
  parentPort!.postMessage(part);
});
