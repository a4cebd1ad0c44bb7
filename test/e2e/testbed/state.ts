/** The running bed, recorded in ${cache}/run/state.json so `up` is idempotent and `down` works from any process. */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Netns } from './netns.js';
import type { ProcRecord } from './proc.js';
import type { Versions } from './versions.js';
import { stateFile } from './versions.js';

export type SealedSecretsMode =
  /** controller in the bed's netns, reachable through the kube API service proxy (like a real cluster) */
  | 'service-proxy'
  /** controller on 127.0.0.1; only its plain http URL works (see docs/testing.md) */
  | 'loopback';

export interface TestbedState {
  schema: 1;
  startedAt: string;
  cacheDir: string;
  runDir: string;
  toolsDir: string;
  versions: Versions;
  /** pid of the process that ran `up` (informational) */
  upPid: number;
  etcd?: { clientUrl: string; dataDir: string };
  apiserver?: { url: string; port: number; caFile: string; adminToken: string; pkiDir: string };
  kubeconfig?: string;
  moto?: { url: string };
  netns?: Netns;
  sealedSecrets?: {
    mode: SealedSecretsMode;
    controllerName: string;
    controllerNamespace: string;
    /** plain http URL of the controller (the netns address in service-proxy mode) */
    url: string;
    /** cert URL: the kube API service-proxy path in service-proxy mode */
    certUrl: string;
    reason?: string;
  };
  procs: ProcRecord[];
  /** the environment the bed exports (PATH is the tools dir only; prepend it to yours) */
  env: Record<string, string>;
  ready: boolean;
  /** who started it: a bed started by hand (`testbed:up`) is never stopped by a test run */
  startedBy: 'cli' | 'vitest';
  /** pids of test runs currently using the bed; a vitest-started bed stops when the last one leaves */
  users: number[];
}

export function readState(file = stateFile()): TestbedState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as TestbedState;
  } catch {
    return undefined;
  }
}

export function writeState(s: TestbedState, file = stateFile()): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
