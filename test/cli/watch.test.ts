/** `ksec watch` started where there is no cluster configuration at all (issue 19, point 6). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKsec } from '../helpers/run-ksec.js';

describe('ksec watch (built CLI)', () => {
  it('with no kubeconfig and no pod environment exits 3 with one line saying what it looked for', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ksec-watch-home-'));
    const env = { HOME: home, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' };
    const r = await runKsec(['watch', '--metrics-address', 'off'], { env });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: no Kubernetes configuration found: .*KUBECONFIG.*\.kube\/config.*KUBERNETES_SERVICE_HOST/);
    expect(r.stderr).not.toMatch(/localhost:8080|retrying/);
  }, 30_000);
});
