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

  it('passes checksum annotate --check on the whole folder (the plain demo Secret gives way to its SealedSecret)', async () => {
    const r = await runKsec(['checksum', 'annotate', '--check', 'examples/']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('up to date');
    expect(r.stderr).toMatch(/skipped 3 YAML files that are not Kubernetes manifests/);
    expect(r.stderr).toMatch(/Secret\/demo\/app-secret: a plain Secret beside the SealedSecret/);
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

describe('examples/README.md', () => {
  it('every command in its code blocks works, in the order given', { timeout: 120_000 }, async () => {
    const { cpSync, mkdtempSync, readFileSync, symlinkSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { REPO_ROOT } = await import('../helpers/run-ksec.js');
    const text = readFileSync(join(REPO_ROOT, 'examples/README.md'), 'utf8');
    const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const commands = blocks.flatMap((b) => b.split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l.startsWith('node bin/ksec.js '));
    expect(commands.length).toBeGreaterThanOrEqual(3);
    // a copy of the examples, so commands that write leave the repository alone
    const cwd = mkdtempSync(join(tmpdir(), 'ksec-examples-'));
    cpSync(join(REPO_ROOT, 'examples'), join(cwd, 'examples'), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'bin'), join(cwd, 'bin'));
    for (const command of commands) {
      const args = command.slice('node bin/ksec.js '.length).split(/\s+/);
      const r = await runKsec(args, { cwd, env: { KUBECONFIG: '/nonexistent' } });
      expect(r.code, `${command}\n${r.stderr}`).toBe(0);
    }
  });
});
