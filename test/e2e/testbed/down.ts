/**
 * Stops everything the bed started (recorded in state.json), deletes its
 * netns, etcd data dir and credentials. Safe to run any number of times, from
 * any process, also after a crashed `up` or test run. Logs are kept in run/logs.
 *
 * CLI: npm run -s testbed:down
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { deleteNetns, netnsFor, netnsUnavailable } from './netns.js';
import { stopProc } from './proc.js';
import { readState } from './state.js';
import { cacheDir, runDir, stateFile } from './versions.js';

const log = (msg: string) => process.stderr.write(`[testbed] ${msg}\n`);

export async function down(): Promise<void> {
  const state = readState();
  const errors: string[] = [];
  if (state) {
    // reverse start order: controllers before the apiserver, the apiserver before etcd
    for (const p of [...state.procs].reverse()) {
      try {
        await stopProc(p);
      } catch (e) {
        errors.push(String(e));
      }
    }
    if (state.etcd?.dataDir) rmSync(state.etcd.dataDir, { recursive: true, force: true });
  }
  // the netns name is derived from the cache dir, so it is found even without a state file
  if (!netnsUnavailable()) {
    try {
      deleteNetns(state?.netns ?? netnsFor(cacheDir()));
    } catch (e) {
      errors.push(String(e));
    }
  }
  const run = runDir();
  for (const f of ['pki', 'kubeconfig', 'apiserver.sock']) rmSync(join(run, f), { recursive: true, force: true });
  rmSync(stateFile(), { force: true });
  if (errors.length) throw new Error(`test bed down had errors:\n${errors.join('\n')}`);
  if (state) log('stopped');
}

if (process.argv[1] && /down\.[cm]?[tj]s$/.test(process.argv[1])) {
  down().catch((e: unknown) => {
    process.stderr.write(`[testbed] ERROR: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
