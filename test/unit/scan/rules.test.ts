/** Rule edge cases beyond the corpus: placeholders, credential boundaries, allow comments, baselines, fingerprints. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBaseline, renderBaseline } from '../../../src/scan/baseline.js';
import { isPlaceholder, isPlaceholderData } from '../../../src/scan/rules/placeholder.js';
import { selectRules } from '../../../src/scan/rules/index.js';
import { credentialRules } from '../../../src/scan/rules/credentials.js';
import { k8sSecretRules } from '../../../src/scan/rules/k8s-secret.js';
import { failsAt, scanText } from '../../../src/scan/scan.js';

const secretYaml = (value: string, extra = '') => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: ${value}${extra}\n`;

describe('placeholders', () => {
  it.each([
    ['', true],
    ['   ', true],
    ['{{ .Values.pw }}', true],
    ['{{- required "x" .Values.pw | b64enc }}', true],
    ['${DB_PASSWORD}', true],
    ['postgres://u:${DB_PASSWORD}@db', true],
    ['hunter2', false],
    ['$DB_PASSWORD', false],
  ])('%j is a placeholder: %s', (value, expected) => {
    expect(isPlaceholder(value)).toBe(expected);
  });

  it('decodes base64 data before deciding', () => {
    expect(isPlaceholderData(Buffer.from('${TOKEN}').toString('base64'))).toBe(true);
    expect(isPlaceholderData(Buffer.from('token').toString('base64'))).toBe(false);
    expect(isPlaceholder(null)).toBe(true);
    expect(isPlaceholder(42)).toBe(false);
  });
});

describe('credential patterns', () => {
  const ids = (text: string) => credentialRules.check(text).map((h) => h.rule.id);
  it('do not fire inside longer base64 runs (SealedSecret ciphertext)', () => {
    const key = 'AKIA' + 'CANARY234DEMOKEY';
    expect(ids(`a: ${key}\n`)).toEqual(['aws-access-key']);
    expect(ids(`a: AgB${key}x9+\n`)).toEqual([]);
    expect(ids(`a: AgBx${'AIza' + 'x'.repeat(35)}Q\n`)).toEqual([]);
    expect(ids(`a: "${'AIza' + 'x'.repeat(35)}"\n`)).toEqual(['google-api-key']);
  });

  it('needs a key body for a PEM block; finds base64-encoded keys', () => {
    expect(ids('-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n')).toEqual([]);
    const pem = `-----BEGIN EC PRIVATE KEY-----\n${'QUJD'.repeat(20)}\n-----END EC PRIVATE KEY-----\n`;
    expect(ids(pem)).toEqual(['private-key']);
    expect(ids(JSON.stringify({ k: pem }))).toEqual(['private-key']);
    expect(ids(`tls.key: ${Buffer.from(pem).toString('base64')}\n`)).toEqual(['private-key']);
    expect(ids('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')).toEqual([]);
  });
});

describe('which files the Secret family reads', () => {
  it('every spelling of kind Secret, and not the kinds that only end in Secret', () => {
    const applies = (text: string) => k8sSecretRules.mayApply(text, 'x.yaml');
    for (const kind of ['kind: Secret', 'kind: "Secret"', "kind: 'Secret'", 'kind:\tSecret', 'kind: &k Secret', '"kind":"Secret"', '{"kind": "Secret"}', 'kind: Secret # plain']) {
      expect(applies(`apiVersion: v1\nmetadata: {name: SealedSecret}\n${kind}\n`), kind).toBe(true);
    }
    for (const kind of ['kind: SealedSecret', 'kind: ExternalSecret', 'kind: ClusterSecretStore', 'kind: MySecret', 'kind: Secrets', 'name: Secret']) {
      expect(applies(`apiVersion: v1\n${kind}\nspec: {target: Secret-x}\n`), kind).toBe(false);
    }
  });
});

describe('scan decisions', () => {
  it('allows a finding by a comment on its line or the line above, for the named rule only', async () => {
    expect((await scanText('a.yaml', secretYaml('x  # ksec:allow k8s-secret-plaintext'))).findings).toEqual([]);
    expect((await scanText('a.yaml', secretYaml('x').replace('  password', '  # ksec:allow all\n  password'))).findings).toEqual([]);
    expect((await scanText('a.yaml', secretYaml('x  # ksec:allow private-key'))).findings).toHaveLength(1);
  });

  it('keeps fingerprints stable when lines move and distinct per key; never hashes the value', async () => {
    const a = (await scanText('a.yaml', secretYaml('one'))).findings[0]!;
    const b = (await scanText('a.yaml', `# moved\n\n${secretYaml('two')}`)).findings[0]!;
    expect(a.line).not.toBe(b.line);
    expect(a.fingerprint).toBe(b.fingerprint);
    const c = (await scanText('a.yaml', secretYaml('one', '\n  user: admin'))).findings;
    expect(new Set(c.map((f) => f.fingerprint)).size).toBe(2);
  });

  it('drops baselined findings and reads baselines in every accepted shape', async () => {
    const found = (await scanText('a.yaml', secretYaml('one'))).findings;
    const dir = mkdtempSync(join(tmpdir(), 'ksec-baseline-'));
    const file = join(dir, 'b.json');
    writeFileSync(file, renderBaseline(found.map((f) => f.fingerprint)));
    const baseline = await loadBaseline(file);
    const result = await scanText('a.yaml', secretYaml('one'), { baseline });
    expect(result.findings).toEqual([]);
    expect(result.suppressed).toBe(1);
    writeFileSync(file, JSON.stringify({ findings: found }));
    expect(await loadBaseline(file)).toEqual(baseline);
    writeFileSync(file, `${found[0]!.fingerprint}\n`);
    expect(await loadBaseline(file)).toEqual(baseline);
    writeFileSync(file, 'password: one\n');
    await expect(loadBaseline(file)).rejects.toThrow(/not a ksec baseline/);
  });

  it('selects rules by family and id, and thresholds by severity', async () => {
    const text = secretYaml('x') + '---\nkind: ConfigMap\ndata:\n  k: ' + 'AKIA' + 'CANARY234DEMOKEY\n';
    expect((await scanText('a.yaml', text, { rules: selectRules('credentials') })).findings.map((f) => f.rule)).toEqual(['aws-access-key']);
    expect((await scanText('a.yaml', text, { rules: selectRules('k8s-secret-plaintext') })).findings.map((f) => f.rule)).toEqual(['k8s-secret-plaintext']);
    expect(() => selectRules('nope')).toThrow(/unknown rule/);
    const result = await scanText('a.yaml', text);
    expect(failsAt(result, 'critical')).toBe(true);
    expect(failsAt({ ...result, findings: result.findings.map((f) => ({ ...f, severity: 'low' as const })) }, 'medium')).toBe(false);
  });

  it('does not flag SOPS-encrypted Secrets as plaintext Secrets', async () => {
    const text = secretYaml('ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]') + 'sops:\n  mac: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]\n';
    expect((await scanText('s.yaml', text, { rules: selectRules('k8s-secret') })).findings).toEqual([]);
  });

  it('reports a malformed file and goes on; a malformed Helm template is read without complaint', async () => {
    const broken = await scanText('b.yaml', 'kind: Secret\nmetadata: {name: [\nstringData:\n  pw: demo\n');
    expect(broken.errors).toHaveLength(1);
    expect(broken.errors[0]!.message).not.toContain('demo');
    expect(broken.findings.map((f) => f.rule)).toEqual(['k8s-secret-plaintext']);
    const helm = await scanText('t.yaml', '{{- if .Values.x }}\nkind: Secret\ndata:\n  pw: {{ .Values.pw }}\n{{- end }}\n');
    expect(helm.errors).toEqual([]);
    expect(helm.findings).toEqual([]);
  });

  it('reports a malformed manifest that no structural rule needs as a warning, with its line and column, never its text', async () => {
    const broken = await scanText('cm.yaml', 'kind: ConfigMap\ndata:\n  mode: fast\n   level: demo-CANARY-31\n');
    expect(broken.errors).toEqual([
      { file: 'cm.yaml', level: 'warning', line: 3, column: 9, message: expect.stringMatching(/^invalid YAML at line 3, column 9: /), hint: 'fix the YAML syntax' },
    ]);
    const json = await scanText('cm.json', '{"kind": "ConfigMap", "data": {"mode": "demo-CANARY-32",}}');
    expect(json.errors.map((e) => [e.level, e.line, e.message])).toEqual([['warning', 1, 'invalid JSON in the value starting at line 1']]);
    expect(JSON.stringify([broken.errors, json.errors])).not.toMatch(/CANARY|level:|mode/);
    // the text rules still ran over the whole file
    const token = await scanText('cm.yaml', `kind: ConfigMap\ndata:\n  mode: fast\n   t: ghp_${'CANARY'.padEnd(36, '7')}\n`);
    expect([token.errors[0]?.level, token.findings.map((f) => f.rule)]).toEqual(['warning', ['github-token']]);
  });

  it('does not report valid JSON of any shape, JSONC settings files, Helm templates or other file types', async () => {
    const cases: [string, string][] = [
      ['values.json', '"just a string"'],
      ['stream.json', '{"kind": "ConfigMap"}\n{"kind": "ConfigMap"}\n'],
      ['tsconfig.json', '{ // comment\n "compilerOptions": {} }'],
      ['.vscode/settings.json', '{ /* comment */ }'],
      ['chart/templates/cm.yaml', 'data:\n  {{- range .Values.x }}\n  {{ . }}: x\n  {{- end }}\n'],
      ['notes.txt', 'key: [unclosed\n'],
      ['empty.yaml', ''],
    ];
    for (const [path, text] of cases) expect((await scanText(path, text)).errors, path).toEqual([]);
  });
});
