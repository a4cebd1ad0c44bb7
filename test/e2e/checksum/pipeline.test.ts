import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

describe('helm template | ksec checksum annotate -', () => {
  it('stamps the chart\'s Deployment over the ConfigMap it renders, and follows a values change', async () => {
    const bed = testbed();
    const dir = mkdtempSync(join(tmpdir(), 'ksec-hpipe-'));
    // a chart from `helm create`, plus a ConfigMap the Deployment reads through envFrom
    await bed.exec('helm', ['create', join(dir, 'demo')]);
    writeFileSync(
      join(dir, 'demo', 'templates', 'configmap.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "demo.fullname" . }}-config\ndata:\n  LOG_LEVEL: {{ .Values.logLevel | default "info" | quote }}\n',
    );
    const deployment = join(dir, 'demo', 'templates', 'deployment.yaml');
    writeFileSync(
      deployment,
      readFileSync(deployment, 'utf8').replace(
        /^(\s*)image: (.*)$/m,
        (_m, indent: string, image: string) =>
          `${indent}image: ${image}\n${indent}envFrom:\n${indent}  - configMapRef:\n${indent}      name: {{ include "demo.fullname" . }}-config`,
      ),
    );
    const render = async (logLevel: string) => {
      const t = await bed.exec('helm', ['template', 'rel', join(dir, 'demo'), '--set', `logLevel=${logLevel}`]);
      const r = await runKsec(['checksum', 'annotate', '--strict', '-'], { stdin: t.stdout });
      expect(r.stderr).not.toMatch(/warning|error/);
      expect(r.code).toBe(0);
      return r.stdout;
    };
    const info = await render('info');
    expect(stampsOf(info)).toHaveLength(1);
    expect(info).toMatch(/ksec\.dev\/config-hash-sources: "?ConfigMap\/rel-demo-config=\w{8}"?/);
    expect(stampsOf(await render('info'))).toEqual(stampsOf(info)); // same values, same stamp
    expect(stampsOf(await render('debug'))[0]).not.toBe(stampsOf(info)[0]);
    expect((await runKsec(['checksum', 'annotate', '--check', '-'], { stdin: info })).code).toBe(0);
  });
});
