/**
 * ksec scan reads manifests as the cluster does too (issue 19 point 2): a
 * SealedSecret whose scope annotation is an unquoted `yes` is an error with
 * its position (kubectl would refuse the object), not a strict-scope object.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasErrors, scanText } from '../../../src/scan/scan.js';
import { loadSopsCreationRules } from '../../../src/scan/sops-config.js';

describe('ksec scan and YAML 1.1', () => {
  it('reports a non-string annotation where kubectl refuses it', async () => {
    const text = [
      'apiVersion: bitnami.com/v1alpha1',
      'kind: SealedSecret',
      'metadata:',
      '  name: db',
      '  namespace: prod',
      '  annotations:',
      '    sealedsecrets.bitnami.com/cluster-wide: yes',
      'spec:',
      '  encryptedData: {}',
      '',
    ].join('\n');
    const result = await scanText('sealed.yaml', text);
    expect(hasErrors(result)).toBe(true);
    const error = result.errors.find((e) => /cluster-wide is a boolean/.test(e.message));
    expect(error).toMatchObject({ file: 'sealed.yaml', level: 'error', line: 7, column: 5 });
    expect(error!.message).toMatch(/^SealedSecret\/prod\/db: /);
    expect(error!.hint).toMatch(/quote/);
  });

  it('takes the quoted form', async () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    enabled: "yes"\ndata:\n  port: "8080"\n';
    expect(hasErrors(await scanText('cm.yaml', text))).toBe(false);
  });

  it('reads .sops.yaml as sops does (go-yaml v3, YAML 1.2), not as a manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-sops-config-'));
    // `\/` is a YAML 1.2 escape sops takes; the cluster's reader refuses it
    writeFileSync(join(dir, '.sops.yaml'), 'creation_rules:\n  - path_regex: "secrets\\/.*\\\\.yaml$"\n    age: age1xyz\n');
    const rules = await loadSopsCreationRules(dir);
    expect(rules?.pathRegexes).toEqual(['secrets/.*\\.yaml$']);
  });
});
