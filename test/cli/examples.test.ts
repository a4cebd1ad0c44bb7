import { describe, expect, it } from 'vitest';
import { runKsec } from '../helpers/run-ksec.js';

// The shipped examples must stay true: stamps current, committed manifests clean.
describe('examples/', () => {
  const committed = ['examples/apps', 'examples/secrets/app-secret.sealed.yaml', 'examples/external-secrets'];

  it('carries config-hash stamps that are current', async () => {
    const r = await runKsec(['checksum', 'annotate', '--check', '--strict', 'examples/apps', 'examples/secrets/app-secret.sealed.yaml', 'examples/external-secrets/generated']);
    expect(r.stderr).toContain('up to date');
    expect(r.code).toBe(0);
  });

  it('has nothing for the CI guard to flag outside the demo key and the demo plain Secret', async () => {
    const clean = await runKsec(['scan', ...committed]);
    expect(clean.code).toBe(0);
    const all = await runKsec(['scan', '--format', 'json', 'examples']);
    expect(all.code).toBe(1);
    const files = new Set((JSON.parse(all.stdout) as { findings: { file: string }[] }).findings.map((f) => f.file));
    expect([...files].sort()).toEqual(['examples/keys/demo-sealed-secrets.key', 'examples/secrets/app-secret.yaml']);
  });

  it('regenerates the ExternalSecrets from the spec offline', async () => {
    const r = await runKsec(['eso', 'generate', '--from-spec', 'examples/external-secrets/spec.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('name: demo-app-db');
    expect(r.stdout).toContain('key: demo/app/db');
  });
});
