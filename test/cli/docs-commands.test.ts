/**
 * Every `ksec` command in the docs runs as written (issue 19 point 8), given the inputs it names:
 * the lines of the ```sh blocks of docs/*.md, in order, one workspace per page, made here from
 * the demo keys and fixtures. Left out, each for the reason given in OFFLINE_ONLY: commands that
 * need a cluster, AWS, a Git remote or history, and synopsis lines (placeholders in capitals,
 * `[optional]` parts, `a|b` choices). The README's commands have test/cli/readme.test.ts.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runKsec } from '../helpers/run-ksec.js';

/** Commands this test cannot run offline, and why (the e2e suite runs their kind against real peers). */
const NEEDS_MORE: [RegExp, string][] = [
  [/--fetch(-cert)?\b|ksec doctor|ksec watch|--validate\b|--re-encrypt\b/, 'a cluster'],
  [/https?:\/\//, 'a URL'],
  [/ksec eso generate (?!.*--from-spec)|ksec eso migrate (?!.*--dry-run)/, 'AWS'],
  [/--staged|--since|--history/, 'a Git repository with history'],
];

/** A synopsis, not a command: `FILES|DIRS`, `[--flag]`, `KEYS...`. */
const isSynopsis = (line: string) => /\[|\||\.\.\.|\b[A-Z]{3,}\b/.test(line.replace(/'[^']*'/g, ''));

/** The shell words of one command line: quotes removed, `> file` and `&& ...` split off. */
function words(line: string): { args: string[]; redirect?: string } {
  const [command] = line.split(/\s+&&\s+/);
  const out: string[] = [];
  for (const m of command!.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  const gt = out.indexOf('>');
  return gt >= 0 ? { args: out.slice(1, gt), redirect: out[gt + 1] } : { args: out.slice(1) };
}

/** The runnable `ksec` lines of a page's sh blocks (continuations joined, comments dropped; sample scripts skipped). */
export function docCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const block of markdown.matchAll(/^```(?:sh|bash)\n([\s\S]*?)^```/gm)) {
    const body = block[1]!;
    if (body.startsWith('#!')) continue; // a sample of a script ksec prints
    for (const raw of body.replace(/\\\n\s*/g, ' ').split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').replace(/\s+/g, ' ').trim();
      if (line.startsWith('ksec ') && !isSynopsis(line)) commands.push(line);
    }
  }
  return commands;
}

function put(root: string, path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

/** Every input the pages name, from the demo keys and fixtures (all DEMO ONLY); `sealed` is a SealedSecret with a `password` key. */
function workspace(sealed: string): string {
  const cwd = mkdtempSync(join(tmpdir(), 'ksec-docs-'));
  const file = (p: string) => readFileSync(join(REPO_ROOT, p));
  const cert = file('examples/keys/demo-sealed-secrets.crt');
  const key = file('examples/keys/demo-sealed-secrets.key');
  for (const p of ['cert.pem', 'prod.pem', 'stage.pem', 'new.pem', 'certs/prod.pem', 'clusters/prod/cert.pem', 'examples/keys/demo-sealed-secrets.crt']) put(cwd, p, cert);
  for (const p of ['prod.key', 'old.key', 'new.key']) put(cwd, p, key);
  // the controller's key backup, as `kubectl get secret -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml` prints it
  const backup =
    'apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nmetadata:\n  name: sealed-secrets-keydemo\n  namespace: kube-system\n' +
    '  labels:\n    sealedsecrets.bitnami.com/sealed-secrets-key: active\n' +
    `data:\n  tls.crt: ${cert.toString('base64')}\n  tls.key: ${key.toString('base64')}\n`;
  for (const p of ['keys.yaml', 'demo-keys.yaml', 'backup/sealed-secrets-keys.yaml', 'backup/old-keys.yaml', 'backup/keys.yaml', 'sealed-secrets-key-backup.yaml', 'sealed-secrets-backup.yaml']) {
    put(cwd, p, backup);
  }
  const secret = (name: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: demo\nstringData:\n  password: demo-only\n`;
  for (const p of ['secret.yaml', 'a.yaml', 'b.yaml', 'db.yaml', 'secrets/app.yaml', 'k8s/db-secret.yaml']) put(cwd, p, secret(p.replace(/\W+/g, '-').replace(/-yaml$/, '')));
  put(cwd, 'value.txt', 'demo-only');
  for (const p of ['apps/db/sealed-secret.yaml', 'clusters/prod/apps/db/sealed-secret.yaml', 'sealed/app.sealed.yaml']) put(cwd, p, sealed);
  for (const [from, to] of [['examples/apps/web.yaml', 'deploy/web.yaml'], ['examples/secrets/app-secret.sealed.yaml', 'deploy/app-secret.sealed.yaml']]) put(cwd, to!, file(from!));
  cpSync(join(REPO_ROOT, 'examples/external-secrets/generated'), join(cwd, 'deploy/external-secrets'), { recursive: true });
  put(cwd, 'secrets.yaml', file('examples/external-secrets/spec.yaml'));
  for (const p of ['secrets/db.enc.yaml', 'k8s/db.enc.yaml', 'db.enc.yaml']) put(cwd, p, file('test/fixtures/sops/secret.enc.yaml'));
  put(cwd, 'app.enc.env', file('test/fixtures/sops/app.enc.env'));
  for (const p of ['keys.txt', '.config/sops/age/keys.txt']) put(cwd, p, file('test/fixtures/sops/demo-age-key-1.txt'));
  return cwd;
}

/** A demo SealedSecret `demo/db` with a `password` key, sealed for the demo certificate by ksec itself. */
async function sealedDb(): Promise<string> {
  const r = await runKsec(['seal', '--cert', 'examples/keys/demo-sealed-secrets.crt', '-o', 'yaml'], {
    stdin: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: demo\nstringData:\n  password: demo-only\n',
  });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

const PAGES = readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md'));

describe('docs commands run as written', { timeout: 300_000 }, () => {
  it('finds the commands of the pages (and skips synopses and sample scripts)', () => {
    expect(docCommands('```sh\nksec scan .   # all\nksec seal [--cert FILE] FILES\n```\n```sh\n#!/bin/sh\nksec x\n```\n')).toEqual(['ksec scan .']);
    expect(docCommands('```sh\nksec eso store --name aws \\\n  --region eu-west-1\n```\n')).toEqual(['ksec eso store --name aws --region eu-west-1']);
    expect(PAGES.flatMap((p) => docCommands(readFileSync(join(REPO_ROOT, 'docs', p), 'utf8'))).length).toBeGreaterThanOrEqual(40);
  });

  it.each(PAGES)('%s', async (page) => {
    const commands = docCommands(readFileSync(join(REPO_ROOT, 'docs', page), 'utf8'));
    const cwd = workspace(await sealedDb());
    const env = { KUBECONFIG: '/nonexistent', HOME: cwd, AWS_REGION: 'eu-west-1' };
    for (const command of commands) {
      if (NEEDS_MORE.some(([re]) => re.test(command))) continue;
      const { args, redirect } = words(command);
      const r = await runKsec(args, { cwd, env });
      // `inventory --require-newest` and `scan` report what they find with exit 1 by design
      const expected = /ksec scan |--require-newest|--check /.test(command) ? [0, 1] : [0];
      expect(expected, `${page}: ${command}\n${r.stderr}`).toContain(r.code);
      expect(r.stderr, `${page}: ${command}`).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
      if (redirect) writeFileSync(join(cwd, redirect), r.stdout);
    }
  });
});
