/**
 * The README's "Commands at a glance" run as written (issue 19 point 8), given
 * the inputs they name, made here from the demo keys and fixtures. Commands
 * that need a cluster, AWS, Helm or a Git remote are left out (listed below).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runKsec } from '../helpers/run-ksec.js';

const ONLINE = [/helm template/, /--since/, /ksec watch/, /ksec eso generate/];

function readmeCommands(): string[] {
  const text = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /## Commands at a glance\n\n```sh\n([\s\S]*?)```/.exec(text)![1]!;
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.startsWith('ksec ') && !ONLINE.some((re) => re.test(l)));
}

/** The files the commands name, from the demo keys and fixtures. */
function workspace(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'ksec-readme-'));
  const cert = join(REPO_ROOT, 'examples/keys/demo-sealed-secrets.crt');
  for (const name of ['cert.pem', 'prod.pem', 'stage.pem', 'new.pem']) cpSync(cert, join(cwd, name));
  cpSync(join(REPO_ROOT, 'examples/keys/demo-sealed-secrets.key'), join(cwd, 'old-keys.yaml'));
  // the controller's key backup as `kubectl get secret -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml` prints it
  const b64 = (file: string) => readFileSync(join(REPO_ROOT, file)).toString('base64');
  writeFileSync(
    join(cwd, 'backup.yaml'),
    'apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nmetadata:\n  name: sealed-secrets-keydemo\n  namespace: kube-system\n' +
      '  labels:\n    sealedsecrets.bitnami.com/sealed-secrets-key: active\n' +
      `data:\n  tls.crt: ${b64('examples/keys/demo-sealed-secrets.crt')}\n  tls.key: ${b64('examples/keys/demo-sealed-secrets.key')}\n`,
  );
  const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n  namespace: demo\nstringData:\n  password: demo-only\n';
  writeFileSync(join(cwd, 'secret.yaml'), secret);
  mkdirSync(join(cwd, 'secrets'));
  writeFileSync(join(cwd, 'secrets/app.yaml'), secret);
  cpSync(join(REPO_ROOT, 'test/fixtures/sops/secret.enc.yaml'), join(cwd, 'secrets/db.enc.yaml'));
  mkdirSync(join(cwd, 'deploy'));
  for (const f of ['apps/web.yaml', 'secrets/app-secret.sealed.yaml']) cpSync(join(REPO_ROOT, 'examples', f), join(cwd, 'deploy', f.replace('/', '-')));
  cpSync(join(REPO_ROOT, 'examples/external-secrets/generated'), join(cwd, 'deploy/external-secrets'), { recursive: true });
  return cwd;
}

describe('README commands at a glance', { timeout: 180_000 }, () => {
  it('every offline command runs as written, in order', async () => {
    const commands = readmeCommands();
    expect(commands.length).toBeGreaterThanOrEqual(10);
    const cwd = workspace();
    const env = { KUBECONFIG: '/nonexistent', HOME: '/nonexistent', SOPS_AGE_KEY_FILE: join(REPO_ROOT, 'test/fixtures/sops/demo-age-key-1.txt') };
    for (const command of commands) {
      // the unseal line reads the file the first seal line wrote
      if (command.includes('app.sealed.yaml')) cpSync(join(cwd, 'secret.sealed.yaml'), join(cwd, 'app.sealed.yaml'));
      const r = await runKsec(command.slice('ksec '.length).split(/\s+/), { cwd, env });
      expect(r.code, `${command}\n${r.stderr}`).toBe(0);
    }
  });
});
