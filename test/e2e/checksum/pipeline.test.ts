import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKsec } from '../../helpers/run-ksec.js';
import { testbed } from '../testbed/env.js';
import { writeKustomizeApp } from './pipeline-cases.js';

const stampsOf = (yaml: string) => [...yaml.matchAll(/ksec\.dev\/config-hash: (\S+)/g)].map((m) => m[1]);

describe('kustomize build | ksec checksum annotate --strict -', () => {
  it('finds the suffixed generated names, stamps both workloads, and follows config changes', async () => {
    const bed = testbed();
    const render = async (level: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'ksec-kpipe-'));
      writeKustomizeApp(dir, level);
      const built = await bed.exec('kustomize', ['build', dir]);
      const r = await runKsec(['checksum', 'annotate', '--strict', '-'], { stdin: built.stdout });
      expect(r.stderr).not.toContain('warning');
      expect(r.code).toBe(0);
      return { built: built.stdout, stamped: r.stdout };
    };
    const info = await render('info');
    const stamps = stampsOf(info.stamped);
    expect(stamps).toHaveLength(2); // Deployment and CronJob
    expect(info.stamped).toMatch(/ksec\.dev\/config-hash-sources: "?ConfigMap\/plain=\w{8},ConfigMap\/web-config-\w{10}=\w{8},Secret\/web-secret-\w{10}=\w{8}"?/);
    // the stamped stream is the build output plus the annotation lines (and the CronJob's new metadata:) only
    const strip = (y: string) => y.replace(/^ *(metadata:|annotations:|ksec\.dev\/config-hash.*)\n/gm, '');
    expect(strip(info.stamped)).toBe(strip(info.built));
    expect(info.stamped.split('CANARY').length).toBe(1); // kustomize base64-encodes it; ksec adds no copy
    const debug = await render('debug');
    const changed = stampsOf(debug.stamped);
    expect(changed[0]).not.toBe(stamps[0]); // web reads web-config
    expect(changed[1]).toBe(stamps[1]); // report reads only the SealedSecret
    const check = await runKsec(['checksum', 'annotate', '--check', '-'], { stdin: info.stamped });
    expect(check.code).toBe(0);
  });
});
