/**
 * Leak shapes the scan used to miss (issue 20): age private keys, SOPS files that leave part of a
 * Secret in plaintext, broken SOPS metadata, `.sops.yaml` creation rules, credentials in container env
 * literals, and values reached through YAML anchors. Several spellings and layouts per class.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { selectRules } from '../../../src/scan/rules/index.js';
import { scan, scanText } from '../../../src/scan/scan.js';
import { loadSopsCreationRules } from '../../../src/scan/sops-config.js';
import { pathSource } from '../../../src/scan/sources/paths.js';
import { sopsStatus } from '../../../src/sops/status.js';
import { assertNoSecrets } from './canary.js';

const CORPUS = fileURLToPath(new URL('../../fixtures/scan/corpus/', import.meta.url));
/** a real sops metadata block (three age recipients), `encrypted_regex: ^(data|stringData)$` */
const META = (() => {
  const text = readFileSync(join(CORPUS, 'sops/partial.sops.yaml'), 'utf8');
  return text.slice(text.indexOf('sops:\n'));
})();
const ENC = 'ENC[AES256_GCM,data:ME9a8+qqBCwXn0eqF010rw==,iv:uhdG6vcUoywenIi6EDaXDvyhWb/2Lv6kL4MiLdLb/kU=,tag:llVdEID432oMefr5T2tl2g==,type:str]';

const rules = async (path: string, text: string) => {
  const result = await scanText(path, text);
  assertNoSecrets(JSON.stringify(result));
  return result.findings.map((f) => `${f.rule}@${f.line}${f.key ? ` ${f.key}` : ''}`);
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('age private keys', () => {
  const x25519 = 'AGE-SECRET-KEY-1CANARY' + 'Q'.repeat(52);
  const pq = 'AGE-SECRET-KEY-PQ-1CANARY' + 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L'.repeat(2);
  it.each([
    ['keys.txt', `# created: 2026-01-01T00:00:00Z\n# public key: age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr\n${x25519}\n`, 3],
    ['ci.env', `SOPS_AGE_KEY=${x25519}\n`, 1],
    ['values.yaml', `decryption:\n  ageKey: "${pq}"\n`, 2],
    ['cm.json', JSON.stringify({ kind: 'ConfigMap', data: { 'keys.txt': `# public key: age1x\n${x25519.toLowerCase()}\n` } }), 1],
    ['notes.md', `export SOPS_AGE_KEY='${pq}'`, 1],
  ])('%s: critical wherever it is', async (path, text, line) => {
    expect(await rules(path, text)).toEqual([`age-secret-key@${line}`]);
  });

  it.each([
    ['a documentation stub', 'your key looks like AGE-SECRET-KEY-1... (keep it out of Git)\n'],
    ['too short to be a key', `key: AGE-SECRET-KEY-1${'Q'.repeat(20)}\n`],
    ['a public recipient', 'recipient: age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr\n'],
    ['inside a longer token', `x: ZZAGE-SECRET-KEY-1${'Q'.repeat(58)}\n`],
    ['mixed case (not bech32)', `k: AGE-SECRET-KEY-1${'Qq'.repeat(29)}\n`],
  ])('not %s (next to a real key, which is)', async (_what, text) => {
    expect(await rules('x.txt', `${text}${x25519}\n`)).toEqual([`age-secret-key@${text.split('\n').length}`]);
  });
});

describe('SOPS Secrets whose rules leave values in plaintext', () => {
  const secret = (body: string, meta = META) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n${body}${meta}`;
  it.each([
    ['encrypted_regex covers data, not stringData', secret(`data:\n  password: ${ENC}\nstringData:\n  api-key: demo-CANARY-p1\n`, META.replace('^(data|stringData)$', '^data$')), ['k8s-secret-plaintext@8 stringData.api-key']],
    ['encrypted_regex covers stringData, not data', secret(`data:\n  password: ZGVtby1DQU5BUlktcDI=\nstringData:\n  user: ${ENC}\n`, META.replace('^(data|stringData)$', '^stringData$')), ['k8s-secret-plaintext@6 data.password']],
    ['encrypted_regex names some keys only', secret(`stringData:\n  password: ${ENC}\n  token: demo-CANARY-p3\n`, META.replace('^(data|stringData)$', '^password$')), ['k8s-secret-plaintext@7 stringData.token']],
    ['encrypted_suffix', secret(`stringData:\n  password_enc: ${ENC}\n  token: demo-CANARY-p4\n`, META.replace('encrypted_regex: ^(data|stringData)$', 'encrypted_suffix: _enc')), ['k8s-secret-plaintext@7 stringData.token']],
    ['unencrypted_regex', secret(`stringData:\n  password: demo-CANARY-p5\n  token: ${ENC}\n`, META.replace('encrypted_regex: ^(data|stringData)$', 'unencrypted_regex: ^(password|kind|apiVersion|name)$')), ['k8s-secret-plaintext@6 stringData.password']],
  ])('%s: each plaintext value is a finding', async (_name, text, expected) => {
    expect(await rules('s.sops.yaml', text)).toEqual(expected);
  });

  it('one finding per value when the sops rules already say it should be encrypted; none for ENC values and empty ones', async () => {
    expect(await rules('s.yaml', secret(`stringData:\n  password: ${ENC}\n  added: demo-CANARY-p6\n`))).toEqual(['sops-unencrypted-value@7 stringData.added']);
    const dataOnly = META.replace('^(data|stringData)$', '^data$');
    expect(await rules('s.yaml', secret(`data:\n  a: ${ENC}\nstringData:\n  b: ${ENC}\n  c: ""\n  d: demo-CANARY-p8\n`, dataOnly))).toEqual(['k8s-secret-plaintext@10 stringData.d']);
  });

  it('as JSON too', async () => {
    const meta = JSON.parse(JSON.stringify({ sops: { age: [{ recipient: 'age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr', enc: /enc: \|\n((?: {8}.*\n)+)/.exec(META)![1]!.replace(/^ {8}/gm, '') }], lastmodified: '2024-03-25T22:08:10Z', mac: /mac: (.*)/.exec(META)![1], encrypted_regex: '^data$', version: '3.8.1' } }));
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'j' }, data: { a: ENC }, stringData: { token: 'demo-CANARY-p7' }, ...meta }, null, 2);
    expect((await rules('s.json', text)).map((r) => r.replace(/@\d+/, ''))).toEqual(['k8s-secret-plaintext stringData.token']);
  });
});

describe('broken SOPS metadata', () => {
  const file = (meta: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${ENC}\n${meta}`;
  const mac = /mac: ENC\[AES256_GCM,data:([^,]+),iv:([^,]+),tag:([^,]+),type:str\]/;
  const firstEnc = /enc: \|\n((?: {8}.*\n)+?)(?= {4}- recipient)/;
  /** re-armors the first recipient's age file after `edit` changed its bytes */
  const editStanza = (edit: (bytes: Buffer) => Buffer) =>
    META.replace(firstEnc, (_m, armored: string) => {
      const lines = armored.trim().split('\n').map((l) => l.trim());
      const bytes = edit(Buffer.from(lines.slice(1, -1).join(''), 'base64'));
      const body = bytes.toString('base64').match(/.{1,64}/g)!;
      return `enc: |\n${['-----BEGIN AGE ENCRYPTED FILE-----', ...body, '-----END AGE ENCRYPTED FILE-----'].map((l) => `        ${l}\n`).join('')}`;
    });
  it.each([
    ['a MAC cut short', META.replace(mac, (_m, d: string, iv: string, tag: string) => `mac: ENC[AES256_GCM,data:${d.slice(0, 40)},iv:${iv},tag:${tag},type:str]`), 'mac-invalid'],
    ['a MAC whose IV was cut', META.replace(mac, (_m, d: string, _iv: string, tag: string) => `mac: ENC[AES256_GCM,data:${d},iv:tYmXV04d324Jb1Hg,tag:${tag},type:str]`), 'mac-invalid'],
    ['a MAC whose tag was cut', META.replace(mac, (_m, d: string, iv: string) => `mac: ENC[AES256_GCM,data:${d},iv:${iv},tag:Ohp2Jqo4f862,type:str]`), 'mac-invalid'],
    ['an age payload cut short', editStanza((b) => b.subarray(0, b.length - 10)), 'age-stanza-invalid'],
    ['an age stanza of another type', editStanza((b) => Buffer.from(b.toString('latin1').replace('-> X25519 ', '-> X25518 '), 'latin1')), 'age-stanza-invalid'],
    ['an age stanza with a cut share', editStanza((b) => Buffer.from(b.toString('latin1').replace(/-> X25519 (\S+)/, (_m, s: string) => `-> X25519 ${s.slice(0, 20)}`), 'latin1')), 'age-stanza-invalid'],
    ['an age file without its header MAC line', editStanza((b) => Buffer.from(b.toString('latin1').replace(/\n--- \S+/, ''), 'latin1')), 'age-stanza-invalid'],
  ])('%s is a finding, and sops status says so (the intact file has no problem)', async (_name, meta, code) => {
    expect(sopsStatus(file(META), 's.yaml').problems).toEqual([]);
    const text = file(meta);
    expect(await rules('s.yaml', text)).toEqual([expect.stringMatching(/^sops-metadata@1 /)]);
    expect(sopsStatus(text, 's.yaml').problems.map((p) => p.code)).toContain(code);
  });
});

describe('.sops.yaml creation rules', () => {
  function repo(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-sops-config-'));
    dirs.push(dir);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }
  const encrypted = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: e\nstringData:\n  password: ${ENC}\n${META}`;
  const config = (...regexes: string[]) => `creation_rules:\n${regexes.map((r) => `  - path_regex: ${r}\n    age: age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr\n`).join('')}  - age: age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr\n`;
  const findings = async (dir: string, cwd = dir, paths = ['.']) => {
    const sopsCreationRules = await loadSopsCreationRules(cwd);
    const result = await scan(await pathSource(paths, { cwd }), { ...(sopsCreationRules ? { sopsCreationRules } : {}), rules: selectRules('sops') });
    return result.findings.map((f) => `${f.file} ${f.rule} ${f.severity}`);
  };

  it('a plaintext file of any kind where a path_regex matches is a high finding; encrypted and unmatched files are not', async () => {
    const dir = repo({
      '.sops.yaml': config("'secrets/.*\\.yaml$'", "'\\.enc\\.(env|json)$'", "'(?i)^PROD/'"),
      'secrets/db.yaml': 'kind: ConfigMap\ndata:\n  url: demo-CANARY-c2\n',
      'secrets/ok.yaml': encrypted,
      'secrets/empty.yaml': '\n',
      'app/config.enc.env': 'DB_PASSWORD=demo-CANARY-c3\n',
      'app/config.enc.json': '{"password": "demo-CANARY-c4"}',
      'prod/readme.txt': 'nothing here\n',
      'secrets/keystore.yaml': '\0\x01binary-CANARY-c5' as string,
      'app/plain.yaml': 'kind: ConfigMap\ndata:\n  a: b\n',
    });
    expect(await findings(dir)).toEqual([
      'app/config.enc.env sops-creation-rule-plaintext high',
      'app/config.enc.json sops-creation-rule-plaintext high',
      'prod/readme.txt sops-creation-rule-plaintext high',
      'secrets/db.yaml sops-creation-rule-plaintext high',
      'secrets/keystore.yaml sops-creation-rule-plaintext high',
    ]);
  });

  it('matches paths relative to the .sops.yaml, found in a directory above the scan root', async () => {
    const dir = repo({ '.sops.yml': config('^clusters/prod/secrets/'), 'clusters/prod/secrets/a.yaml': 'kind: ConfigMap\n', 'clusters/dev/secrets/a.yaml': 'kind: ConfigMap\n' });
    expect(await findings(dir, join(dir, 'clusters/prod'))).toEqual(['secrets/a.yaml sops-creation-rule-plaintext high']);
    expect(await findings(dir, join(dir, 'clusters/dev'))).toEqual([]);
  });
});

describe('credentials in container env literals', () => {
  const pod = (env: string, kind = 'Pod', at = 'spec') =>
    `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: p\n${at}:\n  containers:\n    - name: app\n      image: x\n      env:\n${env}`;
  it.each([
    ['DB_PASSWORD', '        - name: DB_PASSWORD\n          value: demo-CANARY-v1\n'],
    ['lower-case name', '        - name: db_passwd\n          value: "demo-CANARY-v2"\n'],
    ['flow style', '        - {name: API_KEY, value: demo-CANARY-v3}\n'],
    ['URL with a password', '        - name: DATABASE_URL\n          value: mysql://root:demo-CANARY-v4@mysql:3306/db\n'],
    ['camelCase name', '        - name: clientSecret\n          value: demo-CANARY-v5\n'],
  ])('%s is a high finding', async (_what, env) => {
    // at the value: line 11, or 10 in flow style
    expect(await rules('p.yaml', pod(env))).toEqual([expect.stringMatching(/^container-env-secret@1[01] spec\.containers\.0\.env\.0\.value$/)]);
  });

  it('in workloads, CronJobs, init containers and CRDs that embed pod specs', async () => {
    const deployment = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          env:\n            - name: AUTH_TOKEN\n              value: demo-CANARY-v6\n`;
    expect(await rules('d.yaml', deployment)).toEqual(['container-env-secret@12 spec.template.spec.containers.0.env.0.value']);
    const cron = `apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          initContainers:\n            - name: init\n              env:\n                - name: REDIS_PASSWORD\n                  value: demo-CANARY-v7\n`;
    expect(await rules('c.yaml', cron)).toEqual(['container-env-secret@14 spec.jobTemplate.spec.template.spec.initContainers.0.env.0.value']);
  });

  it.each([
    ['valueFrom', '        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef: {name: db, key: password}\n'],
    ['*_FILE', '        - name: DB_PASSWORD_FILE\n          value: /run/secrets/db\n'],
    ['SECRETS_DIR', '        - name: SECRETS_DIR\n          value: secrets\n'],
    ['*_SECRET_NAME', '        - name: TLS_SECRET_NAME\n          value: web-tls\n'],
    ['*_KEY_ID', '        - name: AWS_ACCESS_KEY_ID\n          value: from-irsa\n'],
    ['placeholders', '        - name: API_TOKEN\n          value: ${API_TOKEN}\n        - name: SECRET\n          value: $(SECRET)\n        - name: PASSWORD\n          value: "{{ .Values.password }}"\n'],
    ['switches and sizes', '        - name: AUTH_TOKEN_TTL\n          value: "3600"\n        - name: PASSWORD_MIN_LENGTH\n          value: "12"\n        - name: TOKEN\n          value: "true"\n'],
    ['public keys', '        - name: JWT_PUBLIC_KEY\n          value: jwks\n'],
    ['URLs without a password', '        - name: DATABASE_URL\n          value: postgres://app@db:5432/app\n        - name: VAULT_ADDR\n          value: https://vault:8200\n'],
  ])('not %s (next to a literal password, which is)', async (_what, env) => {
    const found = await rules('p.yaml', pod(`${env}        - name: PASSWORD\n          value: demo-CANARY-v9\n`));
    expect(found).toEqual([expect.stringMatching(new RegExp(`^container-env-secret@${10 + env.split('\n').length} `))]);
  });

  it('one finding where a credential format is already reported on the same line', async () => {
    const env = `        - name: GITHUB_TOKEN\n          value: ghp_${'CANARY'.padEnd(36, '7')}\n        - name: NPM_TOKEN\n          value: demo-CANARY-v8\n`;
    expect(await rules('p.yaml', pod(env))).toEqual(['github-token@11', 'container-env-secret@13 spec.containers.0.env.1.value']);
  });
});

describe('values reached through YAML anchors', () => {
  it.each([
    ['a scalar anchored in the same document, then one in another', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  annotations:\n    seed: &pw demo-CANARY-y1\nstringData:\n  password: *pw\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\nstringData:\n  password: *pw\n', ['k8s-secret-plaintext@6 stringData.password', 'k8s-secret-plaintext@6 stringData.password']],
    ['a map anchored in another document (malformed YAML): reported where the value stands', 'defaults: &creds\n  password: demo-CANARY-y2\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: f\nstringData: *creds\n', ['k8s-secret-plaintext@2 stringData.password']],
    ['a scalar anchored in another document', 'pw: &p demo-CANARY-y3\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: i\nstringData:\n  password: *p\n', ['k8s-secret-plaintext@1 stringData.password']],
    ['a merge key from another document', 'x: &d\n  token: demo-CANARY-y4\n  user: demo-CANARY-y5\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: h\nstringData:\n  <<: *d\n  own: demo-CANARY-y6\n', ['k8s-secret-plaintext@2 stringData.token', 'k8s-secret-plaintext@3 stringData.user', 'k8s-secret-plaintext@11 stringData.own']],
    ['merge keys in the same document: each value where it stands', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: m\nx-base: &base\n  token: demo-CANARY-y7\nx-more: &more {api-key: demo-CANARY-y8}\nstringData:\n  <<: [*base, *more]\n  user: demo-CANARY-y9\n', ['k8s-secret-plaintext@6 stringData.token', 'k8s-secret-plaintext@7 stringData.api-key', 'k8s-secret-plaintext@10 stringData.user']],
  ])('%s', async (_name, text, expected) => {
    const result = await scanText('a.yaml', text);
    expect(result.findings.map((f) => `${f.rule}@${f.line} ${f.key}`).sort()).toEqual([...expected].sort());
    assertNoSecrets(JSON.stringify(result));
  });
});

describe('words spelled without their letters: read as the cluster reads them', () => {
  const body = 'metadata:\n  name: demo\nstringData:\n  password: demo-CANARY-w1\n';
  it.each([
    ['an escape in a double-quoted kind', `apiVersion: v1\nkind: "\\x53ecret"\n${body}`, 6],
    ['a \\u escape', `apiVersion: v1\nkind: "Secr\\u0065t"\n${body}`, 6],
    ['an escaped key', `apiVersion: v1\n"k\\x69nd": Secret\n${body}`, 6],
    ['a !!str tag', `apiVersion: v1\nkind: !!str Secret\n${body}`, 6],
    ['a !!binary tag (go-yaml reads the bytes as the string)', `apiVersion: v1\nkind: !!binary U2VjcmV0\n${body}`, 6],
    ['a block scalar', `apiVersion: v1\nkind: |-\n  Secret\n${body}`, 7],
    ['an alias', `apiVersion: v1\nx-kind: &k Secret\nkind: *k\n${body}`, 7],
  ])('%s: a plaintext Secret', async (_name, text, line) => {
    expect(await rules('s.yaml', text)).toEqual([`k8s-secret-plaintext@${line} stringData.password`]);
  });

  it('JSON with \\u escapes, a container env name and a secretGenerator spelled by escapes', async () => {
    const json = '{"apiVersion":"v1","kind":"\\u0053ecret","metadata":{"name":"demo"},"stringData":{"password":"demo-CANARY-w2"}}';
    expect(await rules('s.json', json)).toEqual(['k8s-secret-plaintext@1 stringData.password']);
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: app\n      "\\x65nv":\n        - name: "DB_PASS\\x57ORD"\n          value: demo-CANARY-w3\n';
    expect(await rules('p.yaml', pod)).toEqual([expect.stringMatching(/^container-env-secret@11 /)]);
    const kustomization = 'resources: []\n"secret\\x47enerator":\n  - name: db\n    literals:\n      - password=demo-CANARY-w4\n';
    expect(await rules('kustomization.yaml', kustomization)).toEqual([expect.stringMatching(/^kustomize-secret-literal@5/)]);
  });

  it('a Secret saved as UTF-16 (PowerShell 5 redirection), with either byte order mark', async () => {
    const text = `apiVersion: v1\nkind: Secret\n${body}`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    const dir = mkdtempSync(join(tmpdir(), 'ksec-utf16-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'le.yaml'), le);
    writeFileSync(join(dir, 'be.yaml'), be);
    const result = await scan(await pathSource(['.'], { cwd: dir }));
    expect(result.findings.map((f) => `${f.file} ${f.rule}@${f.line} ${f.key}`).sort()).toEqual(['be.yaml k8s-secret-plaintext@6 stringData.password', 'le.yaml k8s-secret-plaintext@6 stringData.password']);
    assertNoSecrets(JSON.stringify(result));
  });
});
