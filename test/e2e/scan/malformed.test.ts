/**
 * Malformed files never stop the scan: each is reported once, with its line,
 * in every format, and the rest is still scanned. The real kubeconform reads
 * the same files: ksec reports every file it cannot parse, except the two
 * kinds ksec skips by design (Helm templates, JSONC settings files).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kubeconform } from './kubeconform.js';
import { runKsec } from '../../helpers/run-ksec.js';
import { assertNoSecrets } from '../../unit/scan/canary.js';

const MALFORMED = fileURLToPath(new URL('../../fixtures/scan/malformed/', import.meta.url));

/** files kubeconform could not read (status error), schema checks switched off */
function unreadableByKubeconform(dir: string): string[] {
  let out: string;
  try {
    out = execFileSync(kubeconform(), ['-summary', '-output', 'json', '-ignore-missing-schemas', '-schema-location', join(dir, 'no-schemas/{{.ResourceKind}}.json'), '.'], { cwd: dir, encoding: 'utf8' });
  } catch (err) {
    out = (err as { stdout: string }).stdout;
  }
  const report = JSON.parse(out) as { resources: { filename: string; status: string; msg: string }[] };
  return report.resources.filter((r) => r.status === 'statusError' && /unmarshal/.test(r.msg)).map((r) => r.filename).sort();
}

describe('ksec scan on malformed files', () => {
  it('reports every file it cannot parse (--syntax-check), in every format, and agrees with kubeconform', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-scan-malformed-'));
    cpSync(MALFORMED, dir, { recursive: true });
    writeFileSync(join(dir, 'leak.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: leak\nstringData:\n  password: demo-CANARY-m1\n');

    const json = await runKsec(['scan', '.', '--syntax-check', '--format', 'json'], { cwd: dir });
    expect(json.code).toBe(2); // two malformed files could hold a Secret
    const report = JSON.parse(json.stdout) as { findings: { file: string }[]; errors: { file: string; level: string; line?: number }[]; summary: Record<string, number> };
    expect(report.errors.map((e) => [e.file, e.level, e.line])).toEqual([
      ['broken-config.json', 'warning', 1],
      ['broken-config.yaml', 'warning', 6],
      ['broken-secret.yaml', 'error', 6],
      ['truncated.json', 'error', undefined],
    ]);
    expect(report.summary).toMatchObject({ errors: 2, warnings: 2 });
    // the scan went on: the readable Secret and the broken one (read line by line) are both found
    expect(report.findings.map((f) => f.file)).toEqual(['broken-secret.yaml', 'leak.yaml']);

    const kc = unreadableByKubeconform(dir);
    const ksecFiles = report.errors.map((e) => e.file);
    // by design: kubeconform does not render Helm templates and reads JSON as YAML (comments fail, a trailing comma passes)
    expect(kc.filter((f) => !ksecFiles.includes(f))).toEqual(['chart/templates/configmap.yaml', 'tsconfig.json']);
    expect(ksecFiles.filter((f) => !kc.includes(f))).toEqual(['broken-config.json']);

    const sarif = JSON.parse((await runKsec(['scan', '.', '--syntax-check', '--format', 'sarif'], { cwd: dir })).stdout);
    const notes = sarif.runs[0].invocations[0].toolExecutionNotifications as { level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    expect(notes.map((n) => [n.locations[0]!.physicalLocation.artifactLocation.uri, n.level])).toEqual(report.errors.map((e) => [e.file, e.level]));
    expect(sarif.runs[0].invocations[0].executionSuccessful).toBe(false);

    const junit = await runKsec(['scan', '.', '--syntax-check', '--format', 'junit'], { cwd: dir });
    expect(junit.stdout.match(/<testcase classname="ksec\.errors"/g)).toHaveLength(4);
    const text = await runKsec(['scan', '.', '--syntax-check'], { cwd: dir });
    expect(text.code).toBe(2);
    expect(text.stderr.split('\n').filter((l) => /^(error|warning): /.test(l))).toHaveLength(4);
    assertNoSecrets(json.stdout + json.stderr + JSON.stringify(sarif) + junit.stdout + text.stdout + text.stderr);
  });
});
