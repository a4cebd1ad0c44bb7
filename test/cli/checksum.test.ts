/**
 * The built CLI (`npm run -s build` first), on files in a temp dir: exit codes, stdin/stdout,
 * nothing written on bad input. Child processes: generous timeouts for a busy machine, not timing assertions.
 */
import { chmod, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runKsec } from '../helpers/run-ksec.js';

const CANARY = 'CANARY-checksum-cli-5b1e';

const config = `apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  level: info
---
apiVersion: v1
kind: Secret
metadata:
  name: app
stringData:
  password: ${CANARY}
`;
const workload = (name: string) => `# ${name}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: c
        envFrom:
        - configMapRef: {name: app}
        - secretRef: {name: app}
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ksec-checksum-'));
  await writeFile(join(dir, 'config.yaml'), config);
  await writeFile(join(dir, 'a.yaml'), workload('a'));
  await writeFile(join(dir, 'b.yaml'), workload('b'));
});

describe('ksec checksum', { timeout: 60_000 }, () => {
  it('lists one line per config, text and json, never a value', async () => {
    const text = await runKsec(['checksum', dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ConfigMap\/app [0-9a-f]{64}\nSecret\/app [0-9a-f]{64}\n$/);
    const json = await runKsec(['checksum', '-o', 'json', '--algorithm', 'reloader', '-n', 'prod', join(dir, 'config.yaml')]);
    expect(JSON.parse(json.stdout)).toEqual([
      { kind: 'ConfigMap', namespace: 'prod', name: 'app', hash: expect.stringMatching(/^[0-9a-f]{40}$/) },
      { kind: 'Secret', namespace: 'prod', name: 'app', hash: expect.stringMatching(/^[0-9a-f]{40}$/) },
    ]);
    const kustomize = await runKsec(['checksum', '-a', 'kustomize', '-'], { stdin: config });
    expect(kustomize.stdout).toMatch(/^ConfigMap\/app [a-z0-9]{10}\nSecret\/app [a-z0-9]{10}\n$/);
    for (const r of [text, json, kustomize]) expect(r.stdout + r.stderr).not.toContain(CANARY);
  });

  it('bad input: exit 2, one line naming file and object, no value, no stack', async () => {
    await writeFile(join(dir, 'bad.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata:\n  pw: "${CANARY}%"\n`);
    const bad = await runKsec(['checksum', join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml: Secret\/db: data\.pw is not valid base64/);
    expect(bad.stderr).not.toContain(CANARY);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const malformed = await runKsec(['checksum', '-'], { stdin: 'kind: ConfigMap\ndata: [unclosed\n' });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/invalid YAML/);
    const unknown = await runKsec(['checksum', '--algorithm', 'md5', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown --algorithm "md5"/);
    const none = await runKsec(['checksum', join(dir, 'a.yaml')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no ConfigMap or Secret/);
    const wrongApi = await runKsec(['checksum', '-'], { stdin: 'apiVersion: example.com/v1\nkind: ConfigMap\nmetadata: {name: x}\n' });
    expect(wrongApi.code).toBe(2);
  });
});

describe('ksec checksum annotate', { timeout: 60_000 }, () => {
  it('--check fails (1) before, stamps in place, then --check passes (0); config change is named', async () => {
    const before = await runKsec(['checksum', 'annotate', '--check', dir]);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('Deployment/a: config hash missing');
    expect(before.stdout).toContain('Deployment/b: config hash missing');
    expect(await readFile(join(dir, 'a.yaml'), 'utf8')).toBe(workload('a')); // --check writes nothing

    const run = await runKsec(['checksum', 'annotate', dir]);
    expect(run.code).toBe(0);
    const stamped = await readFile(join(dir, 'a.yaml'), 'utf8');
    expect(stamped).toContain('    metadata:\n      annotations:\n        ksec.dev/config-hash: ');
    expect(stamped.replace(/      annotations:\n(        ksec.*\n)+/, '')).toBe(workload('a'));
    expect((await runKsec(['checksum', 'annotate', '--check', dir])).code).toBe(0);

    await writeFile(join(dir, 'config.yaml'), config.replace('level: info', 'level: debug'));
    const stale = await runKsec(['checksum', 'annotate', '--check', dir]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('Deployment/a: config hash stale (changed: ConfigMap/app)');
    expect(stale.stdout + stale.stderr).not.toContain(CANARY);
  });

  it('an empty template metadata: gets its stamp below it, and the other workloads of the file stay as written', async () => {
    const text =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: one\nspec:\n  template:\n    metadata:\n    spec:\n      containers:\n      - name: c\n        envFrom: [{configMapRef: {name: app}}]\n' +
      '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: two}\nspec:\n    template:\n        metadata: {labels: {app: two}}\n        spec:\n            containers:\n                -   name: c\n                    envFrom: [{configMapRef: {name: app}}]\n';
    for (const eol of ['\n', '\r\n']) {
      await writeFile(join(dir, 'a.yaml'), text.replaceAll('\n', eol));
      await writeFile(join(dir, 'b.yaml'), workload('b'));
      expect((await runKsec(['checksum', 'annotate', dir])).code).toBe(0);
      const stamped = await readFile(join(dir, 'a.yaml'), 'utf8');
      const unstamped = stamped
        .replace(new RegExp(`      annotations:${eol}(        ksec.*${eol})+`), '')
        .replace(/\{"annotations": \{[^}]*\}, /, '{');
      expect(unstamped).toBe(text.replaceAll('\n', eol));
      expect((await runKsec(['checksum', 'annotate', '--check', dir])).code).toBe(0);
    }
  });

  it('keeps a byte order mark and the file mode (only the stamped lines change)', async () => {
    await writeFile(join(dir, 'a.yaml'), `\uFEFF${workload('a')}`);
    await chmod(join(dir, 'a.yaml'), 0o600);
    expect((await runKsec(['checksum', 'annotate', dir])).code).toBe(0);
    const stamped = await readFile(join(dir, 'a.yaml'), 'utf8');
    expect(stamped.startsWith('\uFEFF# a\n')).toBe(true);
    expect(stamped).toContain('ksec.dev/config-hash: ');
    expect((await stat(join(dir, 'a.yaml'))).mode & 0o777).toBe(0o600);
    const piped = await runKsec(['checksum', 'annotate', '-'], { stdin: `\uFEFF${config}---\n${workload('b')}` });
    expect(piped.stdout.startsWith('\uFEFFapiVersion: v1\n')).toBe(true);
  });

  it('reads stdin and writes stdout (helm template | ksec checksum annotate -)', async () => {
    const input = `${config}---\n${workload('a')}`;
    const r = await runKsec(['checksum', 'annotate', '-'], { stdin: input });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ksec.dev/config-hash: ');
    expect(r.stdout.split(CANARY).length).toBe(2); // the input's own value, not repeated
  });

  it('missing reference: warning, or exit 2 with --strict; optional is fine', async () => {
    const lone = await runKsec(['checksum', 'annotate', '-'], { stdin: workload('a') });
    expect(lone.code).toBe(0);
    expect(lone.stderr).toContain('warning: Deployment/a: references ConfigMap/app, which is not in the inputs');
    const strict = await runKsec(['checksum', 'annotate', '--strict', '-'], { stdin: workload('a') });
    expect(strict.code).toBe(2);
    expect(strict.stdout).toBe('');
    const optional = workload('a').replace('{name: app}', '{name: app, optional: true}').replace('secretRef: {name: app}', 'secretRef: {name: app, optional: true}');
    const ok = await runKsec(['checksum', 'annotate', '--strict', '-'], { stdin: optional });
    expect(ok.code).toBe(0);
    expect(ok.stderr).not.toContain('warning');
  });

  // root ignores directory modes, so this can only be shown as another user
  it.skipIf(process.getuid?.() === 0)('writes all files or none: an unwritable directory leaves every file as it was', async () => {
    const sub = join(dir, 'locked');
    await mkdir(sub);
    await writeFile(join(sub, 'c.yaml'), workload('c'));
    await chmod(sub, 0o555);
    try {
      const r = await runKsec(['checksum', 'annotate', dir]);
      expect(r.code).not.toBe(0);
      expect(await readFile(join(dir, 'a.yaml'), 'utf8')).toBe(workload('a'));
    } finally {
      await chmod(sub, 0o755);
    }
  });

  it('bad input anywhere: exit 2 and nothing written', async () => {
    await writeFile(join(dir, 'z-broken.yaml'), 'kind: Secret\nmetadata: {name: app2}\ndata: {k: "!!"}\n');
    const r = await runKsec(['checksum', 'annotate', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/z-broken\.yaml: Secret\/app2: data\.k is not valid base64/);
    expect(await readFile(join(dir, 'a.yaml'), 'utf8')).toBe(workload('a'));
  });
});
