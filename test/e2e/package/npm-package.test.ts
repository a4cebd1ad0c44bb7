/**
 * The npm package as a user gets it: `npm pack`, then `npm install -g --prefix <empty dir>` of
 * the tarball (production dependencies from the registry), then every command from the
 * installed `ksec`, and the library with its type declarations from a TypeScript consumer.
 * Needs the build (npm test builds first) and the npm registry.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const EXAMPLES = join(ROOT, 'examples');

let work: string;
let tarball: string;
let files: string[];
let prefix: string;
let ksecBin: string;

const ksec = (args: string[], cwd = EXAMPLES) => spawnSync(ksecBin, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ksec-npm-package-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, packed[0]!.filename);
  files = packed[0]!.files.map((f) => f.path);
  prefix = join(work, 'prefix');
  mkdirSync(prefix);
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: work, stdio: 'pipe' });
  ksecBin = join(prefix, 'bin', 'ksec');
}, 600_000);

describe('the npm package', () => {
  it('holds the CLI, the library and its types, and no tests, fixtures, sources or benchmarks', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/ksec.js', 'dist/index.js', 'dist/index.d.ts', 'dist/bundle/ksec.js']));
    const unwanted = files.filter((f) => /^(src|test|bench|examples|docs|scripts|deploy|action)\//.test(f) || (/\.ts$/.test(f) && !f.endsWith('.d.ts')) || /^dist\/(image|bin|action)\//.test(f));
    expect(unwanted).toEqual([]);
    expect(files.filter((f) => /fixture|demo-sealed-secrets\.key/.test(f))).toEqual([]);
  });

  it('installs with production dependencies only', () => {
    const installed = join(prefix, 'lib', 'node_modules', 'ksec', 'node_modules');
    // the development tools (some @types packages come in as dependencies of dependencies)
    for (const dev of ['vitest', 'typescript', 'esbuild', 'tsx', 'ajv', '@actions/core', '@types/node-forge']) {
      expect(Object.keys(PKG.devDependencies)).toContain(dev);
      expect(existsSync(join(installed, dev)), dev).toBe(false);
    }
    for (const dep of Object.keys(PKG.dependencies)) expect(existsSync(join(installed, dep)), dep).toBe(true);
  });

  it('`ksec --version` prints the package version', () => {
    const r = ksec(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(PKG.version);
  });

  it('runs every command: --help of each, with an example', () => {
    const top = ksec(['--help']).stdout;
    const commands = [...top.matchAll(/^ {2}([a-z-]+)(?: \[options\]| <|\s)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['seal', 'unseal', 'validate', 'reencrypt', 'cert', 'keygen', 'keys', 'sops', 'eso', 'checksum', 'scan', 'watch']));
    for (const command of commands) {
      const r = ksec([command, '--help']);
      expect(r.status, command).toBe(0);
      expect(r.stdout, command).toContain('Examples:');
    }
  });

  it('does the Quick start job on examples/: seal, unseal, scan, checksum', () => {
    const sealed = ksec(['seal', '--cert', 'keys/demo-sealed-secrets.crt', '-f', 'secrets/app-secret.yaml', '-o', 'yaml']);
    expect(sealed.status, sealed.stderr).toBe(0);
    expect(sealed.stdout).toMatch(/^kind: SealedSecret$/m);
    const sealedFile = join(work, 'sealed.yaml');
    writeFileSync(sealedFile, sealed.stdout);
    const unsealed = ksec(['unseal', '--private-key', 'keys/demo-sealed-secrets.key', '-f', sealedFile]);
    expect(unsealed.status, unsealed.stderr).toBe(0);
    expect(unsealed.stdout).toMatch(/^kind: Secret$/m);
    const scan = ksec(['scan', 'secrets/app-secret.sealed.yaml', 'apps/']);
    expect(scan.status, scan.stderr + scan.stdout).toBe(0);
    const checksum = ksec(['checksum', 'apps/']);
    expect(checksum.status, checksum.stderr).toBe(0);
    expect(checksum.stdout).toMatch(/ConfigMap\//);
    const eso = ksec(['eso', 'generate', '--from-spec', 'external-secrets/spec.yaml', '--store', 'aws']);
    expect(eso.status, eso.stderr).toBe(0);
    expect(eso.stdout).toMatch(/^kind: ExternalSecret$/m);
  });

  it('serves the library with its type declarations to a TypeScript consumer', () => {
    const app = join(work, 'consumer');
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    symlinkSync(join(prefix, 'lib', 'node_modules', 'ksec'), join(app, 'node_modules', 'ksec'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out' }, include: ['main.ts'] }),
    );
    writeFileSync(
      join(app, 'main.ts'),
      [
        "import { configHash, KsecError, scanText, type Secret } from 'ksec';",
        "const secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'demo', namespace: 'default' }, data: { a: 'MQ==' } };",
        'const hash: string = configHash(secret);',
        "const err = new KsecError('demo');",
        "console.log(JSON.stringify({ hash, err: err.message, scan: typeof scanText }));",
        '',
      ].join('\n'),
    );
        // a consumer of a Node library has Node's types (ksec's declarations use node:fs and the like)
    mkdirSync(join(app, 'node_modules', '@types'));
    symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(app, 'node_modules', '@types', 'node'));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', app], { cwd: app, encoding: 'utf8' });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    const out = spawnSync(process.execPath, [join(app, 'out', 'main.js')], { cwd: app, encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ hash: expect.stringMatching(/^[0-9a-f]{64}$/), err: 'demo', scan: 'function' });
    expect(readdirSync(join(app, 'out'))).toEqual(['main.js']);
  });
});
