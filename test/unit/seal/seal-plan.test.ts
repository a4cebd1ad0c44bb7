import { describe, expect, it } from 'vitest';
import { planSeal, type SealFlags } from '../../../src/commands/seal-plan.js';

const defaults: SealFlags = { controllerName: 'sealed-secrets-controller', controllerNamespace: 'kube-system' };
const plan = (inputs: string[], flags: SealFlags = {}) => planSeal(inputs, { ...defaults, ...flags });
const message = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('no error');
};

describe('ksec seal flags -> plan', () => {
  it('no flags: stdin sealed with the controller certificate, to stdout as JSON (YAML files if the input is a directory)', () => {
    expect(plan([])).toEqual({
      mode: 'seal',
      certificates: { from: 'controller', controller: { controllerName: 'sealed-secrets-controller', controllerNamespace: 'kube-system' } },
      inputs: ['-'],
      secrets: {},
      namespaceFrom: {},
      output: { to: 'stdout', format: 'json', directoryFormat: 'yaml' },
    });
  });

  it('names clusters after NAME= or the file name, and refuses two of one name', () => {
    const p = plan(['secrets/'], { cert: ['prod=a.pem', 'https://certs.example.com/v1/stage.crt?x=1', 'dev.pem'], outputDir: 'out' });
    expect(p).toMatchObject({
      certificates: {
        from: 'sources',
        sources: [
          { cluster: 'prod', source: 'a.pem' },
          { cluster: 'stage', source: 'https://certs.example.com/v1/stage.crt?x=1' },
          { cluster: 'dev', source: 'dev.pem' },
        ],
      },
      output: { to: 'output-dir', dir: 'out', format: 'yaml' },
    });
    expect(message(() => plan(['s/'], { cert: ['a/x.pem', 'b/x.pem'] }))).toBe('two --cert share the cluster name "x"');
  });

  it('picks the output from -w, --output-dir and the number of inputs and certificates', () => {
    expect(plan(['a.yaml'], { cert: ['c.pem'], sealedSecretFile: 'out.yaml' })).toMatchObject({ output: { to: 'file', path: 'out.yaml', format: 'yaml' } });
    expect(plan(['a.yaml'], { cert: ['c.pem'], sealedSecretFile: 'out', format: 'yml' })).toMatchObject({ output: { to: 'file', format: 'yaml' } });
    expect(plan(['a.yaml', 'b.yaml'], { cert: ['c.pem'] })).toMatchObject({ output: { to: 'beside-inputs', format: 'yaml' } });
    expect(plan([], { cert: ['p.pem', 's.pem'], secretFile: ['a.yaml'], sealedSecretFile: 'x/{cluster}.json' })).toMatchObject({
      inputs: ['a.yaml'],
      output: { to: 'file', format: 'json' },
    });
    expect(message(() => plan(['a.yaml'], { cert: ['p.pem', 's.pem'], sealedSecretFile: 'x.yaml' }))).toBe('several --cert need a {cluster} placeholder in -w');
    expect(message(() => plan(['-', 'a.yaml'], { cert: ['c.pem'] }))).toBe('stdin with other inputs needs -w');
    expect(message(() => plan([], { cert: ['p.pem', 's.pem'] }))).toBe('several --cert need -w or --output-dir');
    expect(message(() => plan(['a.yaml'], { cert: ['c.pem'], format: 'xml' }))).toBe('unknown output format "xml"');
  });

  it('--raw: strict by default; the kubeconfig namespace only when neither -n nor cluster-wide', () => {
    expect(plan([], { cert: ['c.pem'], raw: true, name: 'db', fromFile: ['key=v.txt'] })).toMatchObject({
      mode: 'raw',
      scope: 'strict',
      name: 'db',
      namespaceFrom: {},
      value: { from: 'file', path: 'v.txt' },
      output: { to: 'stdout' },
    });
    expect(plan([], { cert: ['c.pem'], raw: true, scope: 'cluster-wide', sealedSecretFile: 'o' })).toMatchObject({
      namespaceFrom: undefined,
      value: { from: 'stdin' },
      output: { to: 'file', path: 'o' },
    });
    expect(plan([], { cert: ['c.pem'], raw: true, namespace: 'prod' })).toMatchObject({ namespace: 'prod', namespaceFrom: undefined });
    expect(message(() => plan(['a.yaml'], { raw: true }))).toBe('--raw takes its value from --from-file or stdin, not -f');
    expect(message(() => plan([], { raw: true, fromFile: ['a', 'b'] }))).toBe('must provide only one --from-file when encrypting a single item with --raw');
    expect(message(() => plan([], { fromFile: ['a'] }))).toBe('--from-file requires --raw');
  });

  it('--merge-into and --fetch-cert take one certificate', () => {
    expect(plan(['new.yaml'], { cert: ['c.pem'], mergeInto: 'db.yaml', format: 'anything' })).toMatchObject({
      mode: 'merge-into',
      inputs: ['new.yaml'],
      path: 'db.yaml',
      format: 'anything',
    });
    expect(plan([], { cert: ['x=c.pem'], fetchCert: true })).toMatchObject({
      mode: 'fetch-cert',
      certificate: { from: 'sources', sources: [{ cluster: 'x', source: 'c.pem' }] },
      output: { to: 'stdout' },
    });
    expect(message(() => plan([], { cert: ['a.pem', 'b.pem'], mergeInto: 'x' }))).toBe('several --cert only work when sealing Secrets');
  });

  it('--from-sops: its own inputs only; the namespace default is -n, else the kubeconfig context', () => {
    expect(plan([], { fromSops: ['s.enc.yaml'], ageKeyFile: ['k.txt'], cert: ['c.pem'], namespace: 'prod', scope: 'namespace-wide' })).toMatchObject({
      mode: 'from-sops',
      files: ['s.enc.yaml'],
      ageKeyFiles: ['k.txt'],
      secrets: { scope: 'namespace-wide', namespace: 'prod' },
      namespaceFrom: { kubeconfig: undefined, context: undefined },
      output: { to: 'stdout', format: 'json' },
    });
    expect(message(() => plan(['a.yaml'], { fromSops: ['s.enc.yaml'] }))).toMatch(/^--from-sops does not combine/);
    expect(message(() => plan([], { fromSops: ['s'], cert: ['p.pem', 's.pem'] }))).toBe('several --cert need -w with a {cluster} placeholder');
  });
});
