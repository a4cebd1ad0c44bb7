/**
 * A Secret is a Secret however its YAML or JSON spells `kind`: kubeconform (sigs.k8s.io/yaml, the
 * reading kubectl and the API server share) reads each of these files as a Secret, and `ksec scan`
 * reports the plaintext value in each, never printing it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKsec } from '../../helpers/run-ksec.js';
import { assertNoSecrets } from '../../unit/scan/canary.js';
import { kubeconform } from './kubeconform.js';

const body = 'metadata:\n  name: demo\nstringData:\n  password: demo-CANARY-sp1\n';
const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
const FILES: Record<string, string | Buffer> = {
  'escape-x.yaml': `apiVersion: v1\nkind: "\\x53ecret"\n${body}`,
  'escape-u.yaml': `apiVersion: v1\nkind: "Secr\\u0065t"\n${body}`,
  'escaped-key.yaml': `apiVersion: v1\n"k\\x69nd": Secret\n${body}`,
  'tag-str.yaml': `apiVersion: v1\nkind: !!str Secret\n${body}`,
  'tag-binary.yaml': `apiVersion: v1\nkind: !!binary U2VjcmV0\n${body}`,
  'block-scalar.yaml': `apiVersion: v1\nkind: |-\n  Secret\n${body}`,
  'alias.yaml': `apiVersion: v1\nx-kind: &k Secret\nkind: *k\n${body}`,
  'escape.json': '{"apiVersion":"v1","kind":"\\u0053ecret","metadata":{"name":"demo"},"stringData":{"password":"demo-CANARY-sp2"}}\n',
  'utf16-le.yaml': utf16le(`apiVersion: v1\nkind: Secret\n${body}`),
  'utf16-be.yaml': Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(`apiVersion: v1\nkind: Secret\n${body}`, 'utf16le').swap16()]),
};

describe('kind spelled without its letters', () => {
  it('kubeconform reads a Secret in every file, and ksec scan finds each plaintext value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-scan-spellings-'));
    for (const [name, content] of Object.entries(FILES)) writeFileSync(join(dir, name), content);
    const files = Object.keys(FILES).sort();

    const out = execFileSync(kubeconform(), ['-verbose', '-output', 'json', '-ignore-missing-schemas', '-schema-location', join(dir, 'no-schemas/{{.ResourceKind}}.json'), ...files], { cwd: dir, encoding: 'utf8' });
    const read = (JSON.parse(out) as { resources: { filename: string; kind: string }[] }).resources.map((r) => [r.filename, r.kind]).sort();
    expect(read).toEqual(files.map((f) => [f, 'Secret']));

    const r = await runKsec(['scan', '.', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const found = (JSON.parse(r.stdout) as { findings: { file: string; rule: string; key: string }[] }).findings.map((f) => [f.file, f.rule, f.key]).sort();
    expect(found).toEqual(files.map((f) => [f, 'k8s-secret-plaintext', 'stringData.password']));
    assertNoSecrets(r.stdout + r.stderr);
  });
});
