/**
 * The library's public surface (src/index.ts): the exact list of runtime names, and one use of each
 * job through those names only. A name added or dropped here is a change of the package's API:
 * update the list on purpose, never to make the test pass.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as ksec from '../../src/index.js';

const PUBLIC_NAMES = [
  'ALL_RULES',
  'ExitCode',
  'KeyRing',
  'KsecError',
  'SOURCES_ANNOTATION',
  'STAMP_ANNOTATION',
  'annotateFiles',
  'applyStamps',
  'buildExternalSecret',
  'buildKustomization',
  'buildSecretStore',
  'combinedHash',
  'configHash',
  'decryptSopsFile',
  'discoverAwsSecrets',
  'externalSecretProblems',
  'failsAt',
  'fetchControllerCertificate',
  'findReferences',
  'formatError',
  'generateExternalSecrets',
  'generateKeyPair',
  'historySource',
  'hybridDecrypt',
  'hybridEncrypt',
  'isKsecError',
  'keySecret',
  'kustomizeHash',
  'loadCertificate',
  'loadPrivateKeys',
  'mergeInto',
  'objectsOf',
  'parseCertificate',
  'parseCsvSpec',
  'parseIdentities',
  'parseManifestText',
  'parsePrivateKeys',
  'parseScope',
  'parseSopsText',
  'parseYamlSpec',
  'pathSource',
  'planMigration',
  'planStamps',
  'podTemplateOf',
  'publicKeyFingerprint',
  'rangeSource',
  'readManifestFiles',
  'readSpecFile',
  'reencryptFiles',
  'reloaderHash',
  'renderJson',
  'renderSarif',
  'renderSealedSecrets',
  'renderSops',
  'renderYaml',
  'scan',
  'scanText',
  'scopeOf',
  'sealRaw',
  'sealSecret',
  'selectRules',
  'selfSignedCertificate',
  'sopsStatus',
  'sourceFromShape',
  'stagedSource',
  'toPlain',
  'unsealSealedSecret',
  'unsealSealedSecrets',
  'validateSealedSecret',
];

describe('the public API', () => {
  it('exports exactly the library names, no pool or command internals', () => {
    expect(Object.keys(ksec).sort()).toEqual(PUBLIC_NAMES);
  });

  it('seals and unseals a Secret through the public names only', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const secret: ksec.Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'demo-app', namespace: 'demo' },
      stringData: { password: 'demo-only-value' },
    };
    const sealed = ksec.sealSecret(secret, { publicKey });
    expect(sealed.kind).toBe('SealedSecret');
    expect(JSON.stringify(sealed)).not.toContain('demo-only-value');
    const opened = ksec.unsealSealedSecret(sealed, new ksec.KeyRing([privateKey]));
    expect(Buffer.from(String(opened.data?.['password']), 'base64').toString()).toBe('demo-only-value');
  });

  it('hashes a ConfigMap and scans a plaintext Secret through the public names only', async () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'demo' }, data: { level: 'info' } };
    expect(ksec.configHash(configMap)).toMatch(/^[0-9a-f]{64}$/);
    const result = await ksec.scanText(
      'demo-secret.yaml',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: demo\nstringData:\n  password: demo-only-plaintext\n',
    );
    expect(result.findings.length).toBeGreaterThan(0);
    expect(ksec.failsAt(result, 'high')).toBe(true);
  });
});
