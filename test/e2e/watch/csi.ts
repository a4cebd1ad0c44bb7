/**
 * The Secrets Store CSI driver's CRDs on the bed (from the driver's Go module at the pinned tag,
 * cached by install.sh secrets-store-csi), and SecretProviderClassPodStatus objects written as the
 * driver writes them. The bed has no kubelet, so the driver itself cannot run; the tests play its
 * part: one pod status per pod and volume, its objects' versions changed as a rotation changes them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import type { Testbed } from '../testbed/env.js';
import { secretsStoreCsiCrdDir, TESTBED_DIR } from '../testbed/versions.js';
import { eventually, mergePatch } from './helpers.js';

export const CSI_API = '/apis/secrets-store.csi.x-k8s.io/v1';

/** Installs the CRDs (cluster-wide, once; later calls find them) and waits until they are served. */
export async function installCsiCrds(bed: Testbed): Promise<void> {
  const dir = secretsStoreCsiCrdDir();
  if (!existsSync(dir)) {
    const r = spawnSync('bash', [join(TESTBED_DIR, 'install.sh'), 'secrets-store-csi'], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error(`install.sh secrets-store-csi failed (exit ${r.status ?? r.signal})`);
  }
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const crd = parseYaml(readFileSync(join(dir, file), 'utf8')) as { metadata: { name: string } };
    const r = await bed.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    if (r.status !== 201 && r.status !== 409) throw new Error(`CRD ${crd.metadata.name}: ${r.status} ${r.body.slice(0, 200)}`);
  }
  await eventually(
    async () => (await bed.request('GET', CSI_API)).status === 200 && (await bed.request('GET', `${CSI_API}/secretproviderclasspodstatuses`)).status === 200,
    (ok) => ok,
    60_000,
    'the CSI API served',
  );
}

export async function createSpc(bed: Testbed, ns: string, name: string, annotations: Record<string, string> = {}): Promise<void> {
  const r = await bed.request('POST', `${CSI_API}/namespaces/${ns}/secretproviderclasses`, {
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    kind: 'SecretProviderClass',
    metadata: { name, annotations },
    spec: { provider: 'vault', parameters: { objects: 'array:\n  - objectName: "password"\n' } },
  });
  if (r.status !== 201) throw new Error(`SecretProviderClass ${name}: ${r.status} ${r.body.slice(0, 200)}`);
}

export type CsiObjects = { id: string; version: string }[];

/** A pod status as the driver names and fills it: `<pod>-<namespace>-<volume>`. */
export async function createPodStatus(bed: Testbed, ns: string, pod: string, spc: string, objects: CsiObjects): Promise<string> {
  const name = `${pod}-${ns}-${spc}`;
  const r = await bed.request('POST', `${CSI_API}/namespaces/${ns}/secretproviderclasspodstatuses`, {
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    kind: 'SecretProviderClassPodStatus',
    metadata: { name, labels: { 'secrets-store.csi.k8s.io/node-name': 'node-1' } },
    status: { podName: pod, secretProviderClassName: spc, mounted: true, targetPath: `/var/lib/kubelet/pods/${pod}/volumes/kubernetes.io~csi/${spc}/mount`, objects },
  });
  if (r.status !== 201) throw new Error(`SecretProviderClassPodStatus ${name}: ${r.status} ${r.body.slice(0, 200)}`);
  return name;
}

/** A rotation: the driver writes the objects' new versions into the pod status. */
export async function rotate(bed: Testbed, ns: string, podStatus: string, objects: CsiObjects): Promise<void> {
  const status = await mergePatch(bed, `${CSI_API}/namespaces/${ns}/secretproviderclasspodstatuses/${podStatus}`, { status: { objects } });
  if (status !== 200) throw new Error(`PATCH secretproviderclasspodstatuses/${podStatus}: ${status}`);
}
