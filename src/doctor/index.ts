/**
 * `ksec doctor`: the cluster's secret machinery in one report (docs/doctor.md). Each area reads
 * what it needs with get/list; an area it may not read is reported as such, not thrown.
 */
import type { KubeClient } from '../kube/client.js';
import { checkExternalSecrets } from './external-secrets.js';
import { checkSealedSecrets } from './sealed-secrets.js';
import type { DoctorArea, DoctorCheck } from './types.js';
import { checkWorkloads } from './workloads.js';

export { AREAS, type CheckStatus, type DoctorArea, type DoctorCheck } from './types.js';

export interface DoctorOptions {
  controllerName: string;
  controllerNamespace: string;
  keyRenewPeriodMs: number;
  leaseName: string;
  watcherUrl?: string;
  /** the areas to check (default: all) */
  areas?: readonly DoctorArea[];
  now?: Date;
}

export async function runDoctorChecks(client: KubeClient, options: DoctorOptions): Promise<DoctorCheck[]> {
  const now = options.now ?? new Date();
  const want = (a: DoctorArea) => !options.areas || options.areas.includes(a);
  const checks: DoctorCheck[] = [];
  if (want('sealed-secrets')) checks.push(...(await checkSealedSecrets(client, { ...options, now })));
  if (want('external-secrets')) checks.push(...(await checkExternalSecrets(client, now)));
  if (want('reloads') || want('hygiene')) {
    const found = await checkWorkloads(client, { leaseName: options.leaseName, ...(options.watcherUrl ? { watcherUrl: options.watcherUrl } : {}), now });
    checks.push(...found.filter((c) => want(c.area)));
  }
  return checks;
}
