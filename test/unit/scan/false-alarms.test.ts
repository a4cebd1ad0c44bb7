/**
 * False alarms the scan used to raise (issue 20): Flux post-build substitution with operators, Helm
 * expressions that YAML reads as mappings (and `[object Object]` in messages), and git-ignored
 * untracked files in path scans (left out, and now counted).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderJson } from '../../../src/scan/report/json.js';
import { renderSarif } from '../../../src/scan/report/sarif.js';
import { renderSummary, renderText } from '../../../src/scan/report/text.js';
import { ALL_RULES, selectRules } from '../../../src/scan/rules/index.js';
import { scan, scanText } from '../../../src/scan/scan.js';
import { pathSource } from '../../../src/scan/sources/paths.js';

const secret = (value: string, name = 's') => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\nstringData:\n  password: ${value}\n  real: demo-CANARY-f0\n`;

describe('Flux post-build substitution', () => {
  it.each(['${DB_PASSWORD:=changeme}', '${CERT_PATH:-/etc/ssl/cert.pem}', '${TOKEN:+set}', '${HOST/internal/external}', '${NAME//-/_}', '${VAR:?must be set}', '${VAR=x}', '${VAR#prefix}', '${VAR%%.*}', '${VAR^^}', '${#VAR}', '"postgres://app:${DB_PASSWORD:=x}@db/app"'])(
    '%s is a placeholder, in stringData and base64 in data',
    async (value) => {
      const found = (await scanText('s.yaml', secret(value))).findings.map((f) => f.key);
      expect(found).toEqual(['stringData.real']);
      const data = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: d\ndata:\n  password: ${Buffer.from(value.replace(/^"|"$/g, '')).toString('base64')}\n  real: ZGVtby1DQU5BUlktZjE=\n`;
      expect((await scanText('d.yaml', data)).findings.map((f) => f.key)).toEqual(['data.real']);
    },
  );
});

describe('Helm expressions that parse as YAML mappings', () => {
  it.each([
    ['{{ .Values.password | b64enc | quote }}'],
    ['{{ .Values.password }}'],
    ['{{ include "app.password" . }}'],
  ])('%s is a placeholder, and names read as maps are printed as their text', async (expr) => {
    const text = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\nstringData:\n  password: ${expr}\n  real: demo-CANARY-h1\n`;
    const result = await scanText('chart/templates/secret.yaml', text);
    expect(result.findings.map((f) => [f.key, f.object])).toEqual([['stringData.real', 'Secret/{{ .Release.Namespace }}/{{ .Release.Name }}']]);
    const outputs = renderText(result) + renderJson(result) + renderSarif(result, ALL_RULES, '0');
    expect(outputs).not.toContain('[object Object]');
  });

  it('in workloads too: resources, replicas and container names', async () => {
    const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      containers:\n        - name: {{ .Chart.Name }}\n          resources: {{ toYaml .Values.resources }}\n        - name: sidecar\n          image: x\n`;
    const result = await scanText('chart/templates/deploy.yaml', text, { rules: selectRules('antipattern-missing-resources') });
    // the first container's resources are templated; the second has none
    expect(result.findings.map((f) => f.key)).toEqual(['spec.template.spec.containers.1']);
    expect(JSON.stringify(result)).not.toContain('[object Object]');
  });
});

describe('git-ignored untracked files in path scans', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const leak = (n: number) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: l${n}\nstringData:\n  password: demo-CANARY-g${n}\n`;
  function tree(files: Record<string, string>, init: boolean): string {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-gitignored-'));
    dirs.push(dir);
    if (init) execFileSync('git', ['init', '-q'], { cwd: dir });
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }
  const files = { '.gitignore': '*.local.yaml\nbuild/\n.env\n', 'app.local.yaml': leak(1), 'build/out.yaml': leak(2), 'build/more/x.yaml': leak(3), '.env': 'PASSWORD=x\n', 'sub/dev.local.yaml': leak(4), 'app.yaml': leak(5) };

  it('are skipped and counted (an ignored directory once); tracked files that match .gitignore are still scanned', async () => {
    const dir = tree(files, true);
    execFileSync('git', ['add', '-f', 'sub/dev.local.yaml'], { cwd: dir });
    const result = await scan(await pathSource(['.'], { cwd: dir }));
    expect(result.findings.map((f) => f.file)).toEqual(['app.yaml', 'sub/dev.local.yaml']);
    expect(result.gitIgnored).toBe(3); // app.local.yaml, build/, .env
    expect(renderSummary(result)).toContain('3 git-ignored untracked paths skipped');
    expect(JSON.parse(renderJson(result)).summary.gitIgnored).toBe(3);
  });

  it('are counted outside a work tree as well, where ksec reads .gitignore itself', async () => {
    const dir = tree(files, false);
    const result = await scan(await pathSource(['.'], { cwd: dir }));
    expect(result.findings.map((f) => f.file)).toEqual(['app.yaml']);
    expect(result.gitIgnored).toBe(4);
  });
});
