/** The Helm chart: helm lint, and helm template | kubeconform -strict against the bed apiserver's own schemas. */
import { beforeAll, describe, expect, it } from 'vitest';
import { testbed, type Testbed } from '../testbed/env.js';
import { CHART, renderChart, schemasFromApiserver } from './chart.js';

let bed: Testbed;
let schemas: string;

beforeAll(async () => {
  bed = testbed();
  schemas = await schemasFromApiserver(bed);
});

async function kubeconform(text: string, extra: string[] = []) {
  return bed.exec('kubeconform', ['-strict', '-summary', '-schema-location', `${schemas}/{{ .ResourceKind }}{{ .KindSuffix }}.json`, ...extra, '-'], { input: text });
}

describe('deploy/helm/ksec-watch', () => {
  it('passes helm lint (also --strict)', async () => {
    const { stdout } = await bed.exec('helm', ['lint', '--strict', CHART]);
    expect(stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('renders valid manifests (kubeconform -strict) with the default values and with every option on', async () => {
    const plain = await renderChart(bed, 'ksec', 'ksec-system');
    const r1 = await kubeconform(plain.text);
    expect(r1.stdout).toMatch(/Invalid: 0, Errors: 0/);
    const kinds = plain.docs.map((d) => d.kind).sort();
    expect(kinds).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);

    const full = await renderChart(bed, 'ksec', 'ksec-system', [
      'metrics.serviceMonitor.enabled=true',
      'argoRollouts.enabled=true',
      'watch.namespaceSelector=team=a',
      'watch.namespaces={a,b}',
      'watch.reloadStrategy=env-vars',
      'watch.autoReloadAll=true',
      'watch.resourcesToIgnore={secrets}',
      'csiIntegration.enabled=true',
    ]);
    // ServiceMonitor is a CRD the apiserver does not serve: its schema is skipped, the rest stays strict
    const r2 = await kubeconform(full.text, ['-skip', 'ServiceMonitor']);
    expect(r2.stdout).toMatch(/Invalid: 0, Errors: 0/);
    const role = full.docs.find((d) => d.kind === 'ClusterRole');
    expect(role.rules.flatMap((r: any) => r.resources)).not.toContain('secrets');
    expect(JSON.stringify(role.rules)).toContain('rollouts');
    expect(JSON.stringify(role.rules)).toContain('namespaces');
    expect(role.rules).toContainEqual({ apiGroups: ['secrets-store.csi.x-k8s.io'], resources: ['secretproviderclasspodstatuses', 'secretproviderclasses'], verbs: ['get', 'list', 'watch'] });
    expect(full.docs.find((d) => d.kind === 'Deployment').spec.template.spec.containers[0].args).toContain('--enable-csi-integration=true');
  });

  it("jobs and cronjobs (Reloader's ignoreJobs / ignoreCronJobs): their RBAC goes with them", async () => {
    const rules = async (sets: string[]) => (await renderChart(bed, 'ksec', 'ksec-system', sets)).docs.find((d) => d.kind === 'ClusterRole').rules.filter((r: any) => r.apiGroups[0] === 'batch');
    expect(await rules([])).toEqual([
      { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch', 'patch', 'create', 'delete'] },
    ]);
    // a CronJob's reload still creates Jobs
    expect(await rules(['watch.ignoredWorkloadTypes={jobs}'])).toEqual([
      { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create'] },
    ]);
    expect(await rules(['watch.ignoredWorkloadTypes={jobs,cronjobs}'])).toEqual([]);
  });

  it("watch.watchGlobally=false (Reloader's value): a Role and RoleBinding in the release namespace, KUBERNETES_NAMESPACE, no ClusterRole", async () => {
    const { text, docs } = await renderChart(bed, 'ksec', 'ksec-system', [
      'watch.watchGlobally=false',
      'watch.namespaceSelector=team=a',
      'watch.reloadOnCreate=true',
      'watch.reloadOnDelete=true',
      'env[0].name=METRICS_COUNT_BY_NAMESPACE',
      'env[0].value=enabled',
    ]);
    expect((await kubeconform(text)).stdout).toMatch(/Invalid: 0, Errors: 0/);
    expect(docs.map((d) => d.kind).sort()).toEqual(['Deployment', 'PodDisruptionBudget', 'Role', 'Role', 'RoleBinding', 'RoleBinding', 'Service', 'ServiceAccount']);
    const role = docs.find((d) => d.kind === 'Role' && d.metadata.name === 'ksec-ksec-watch');
    expect(role.metadata.namespace).toBe('ksec-system');
    expect(JSON.stringify(role.rules)).toContain('configmaps');
    expect(JSON.stringify(role.rules)).not.toContain('namespaces');
    const c = docs.find((d) => d.kind === 'Deployment').spec.template.spec.containers[0];
    expect(c.env).toEqual(expect.arrayContaining([
      { name: 'KUBERNETES_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'METRICS_COUNT_BY_NAMESPACE', value: 'enabled' },
    ]));
    expect(c.args).toEqual(expect.arrayContaining(['--reload-on-create=true', '--reload-on-delete=true']));
    expect(c.args.some((a: string) => a.startsWith('--namespace-selector'))).toBe(false);
    await expect(renderChart(bed, 'ksec', 'ksec-system', ['watch.watchGlobally=false', 'watch.namespaces={a}'])).rejects.toThrow(/watchGlobally/);
  });

  it("image: by tag (default), by digest (image.digest), from Reloader's global.imageRegistry", async () => {
    const image = async (sets: string[]) =>
      (await renderChart(bed, 'ksec', 'ksec-system', sets)).docs.find((d) => d.kind === 'Deployment').spec.template.spec.containers[0].image;
    expect(await image([])).toMatch(/^ghcr\.io\/ksec\/ksec:\S+$/);
    const digest = 'sha256:' + 'a'.repeat(64);
    expect(await image([`image.digest=${digest}`])).toBe(`ghcr.io/ksec/ksec@${digest}`);
    expect(await image(['global.imageRegistry=registry.example:5000', 'image.tag=1.2.3'])).toBe('registry.example:5000/ksec/ksec:1.2.3');
    expect(await image(['global.imageRegistry=registry.example:5000', `image.digest=${digest}`])).toBe(`registry.example:5000/ksec/ksec@${digest}`);
  });

  it("Reloader's reloader.deployment.env (open, secret, existing, field) and global.imagePullSecrets", async () => {
    const { text, docs } = await renderChart(bed, 'ksec', 'ksec-system', [
      'watch.deployment.env.open.ALERT_ON_RELOAD=true',
      'watch.deployment.env.secret.ALERT_WEBHOOK_URL=https://hooks.example/T0KEN',
      'watch.deployment.env.secret.ALERT_SINK=',
      'watch.deployment.env.existing.alert-secret.ALERT_SINK=sink',
      'watch.deployment.env.field.NODE_NAME=spec.nodeName',
      'global.imagePullSecrets={from-global}',
      'imagePullSecrets[0].name=from-values',
    ]);
    expect((await kubeconform(text)).stdout).toMatch(/Invalid: 0, Errors: 0/);
    const pod = docs.find((d) => d.kind === 'Deployment').spec.template.spec;
    expect(pod.imagePullSecrets).toEqual([{ name: 'from-global' }, { name: 'from-values' }]);
    expect(pod.containers[0].env.slice(-4)).toEqual([
      { name: 'ALERT_ON_RELOAD', value: 'true' },
      { name: 'ALERT_WEBHOOK_URL', valueFrom: { secretKeyRef: { name: 'ksec-ksec-watch', key: 'ALERT_WEBHOOK_URL' } } },
      { name: 'ALERT_SINK', valueFrom: { secretKeyRef: { name: 'alert-secret', key: 'sink' } } },
      { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
    ]);
    // the chart's Secret holds the non-empty entries (an empty one is left out, as in Reloader)
    const secret = docs.find((d) => d.kind === 'Secret');
    expect(secret.metadata.name).toBe('ksec-ksec-watch');
    expect(Object.keys(secret.data)).toEqual(['ALERT_WEBHOOK_URL']);
    expect(Buffer.from(secret.data.ALERT_WEBHOOK_URL, 'base64').toString()).toBe('https://hooks.example/T0KEN');
    // defaults: no Secret, no pull secrets
    const plain = await renderChart(bed, 'ksec', 'ksec-system');
    expect(plain.docs.some((d) => d.kind === 'Secret')).toBe(false);
    expect(plain.docs.find((d) => d.kind === 'Deployment').spec.template.spec.imagePullSecrets).toBeUndefined();
  });

  it('follows the production practices: non-root, read-only root fs, probes, resources, PDB, minimal RBAC', async () => {
    const { docs } = await renderChart(bed, 'ksec', 'ksec-system');
    const dep = docs.find((d) => d.kind === 'Deployment');
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.resources.requests).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
    expect(c.args).toContain('--leader-elect');
    expect(c.env.map((e: any) => e.name)).toEqual(expect.arrayContaining(['POD_NAME', 'POD_NAMESPACE']));
    const role = docs.find((d) => d.kind === 'ClusterRole');
    const verbs = new Set(role.rules.flatMap((r: any) => r.verbs));
    expect([...verbs].sort()).toEqual(['create', 'delete', 'get', 'list', 'patch', 'watch']);
    // delete: only to re-create Jobs (their pod template is immutable), as Reloader does
    for (const r of role.rules) if (r.verbs.includes('delete')) expect(r.resources).toEqual(['jobs']);
    for (const r of role.rules) {
      if (r.resources.includes('configmaps')) expect(r.verbs).toEqual(['get', 'list', 'watch']);
      if (r.resources.includes('events')) expect(r.verbs).toEqual(['create']);
    }
  });
});
