#!/usr/bin/env node
/**
 * `npm run -s build:action`: `ksec scan` bundled for the GitHub Action and the pre-commit hook,
 * action/dist/ (committed: GitHub runs an action, and pre-commit a `language: script` hook, from
 * the repository as it is, with no install step; both on the machine's Node, >= 20.19).
 *
 *   action/dist/index.js       the Action (action.yml): src/action/index.ts
 *   action/dist/ksec-scan.js   the pre-commit hook (.pre-commit-hooks.yaml): `ksec scan ARGS`,
 *                              a launcher of scan-hook.js (src/cli/scan-hook.ts)
 *   action/dist/worker.js      the scan's worker thread (started as ./worker.js beside the chunk that starts it)
 *   action/dist/chunk-*.js     code they share; every dependency is bundled
 *   action/dist/THIRD-PARTY-LICENSES.txt  the license of every bundled package
 *
 * The output is a function of the sources, package-lock.json and the esbuild version only, so
 * test/cli/action-bundle.test.ts rebuilds it into a temporary directory and fails when the
 * committed bundle differs (a stale action never ships).
 *
 *   node scripts/build-action.mjs [outdir]   (default: action/dist)
 */
import { readFileSync, renameSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleLazyRequires, sharedBundleOptions } from './esbuild-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = resolve(process.argv[2] ?? join(root, 'action/dist'));
const tmp = `${out}.${process.pid}.tmp`;
rmSync(tmp, { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { index: 'src/action/index.ts', 'scan-hook': 'src/cli/scan-hook.ts', worker: 'src/scan/worker.ts' },
  outdir: tmp,
  ...sharedBundleOptions,
  plugins: [...sharedBundleOptions.plugins, bundleLazyRequires],
  // never loaded by a scan (the Secrets Manager client and the out-of-cluster Kubernetes client)
  external: ['@aws-sdk/*', '@kubernetes/client-node'],
  metafile: true,
});

// One license text per bundled package, in name order.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (m && !packages.has(m[2])) packages.set(m[2], join(root, m[1]));
}
const licenses = [...packages.keys()].sort().map((name) => {
  const dir = packages.get(name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `(no license file; package.json says ${pkg.license})`;
  return `${name}@${pkg.version} (${pkg.license ?? 'see text'})\n\n${text}\n`;
});
writeFileSync(join(tmp, 'THIRD-PARTY-LICENSES.txt'), licenses.join(`\n${'-'.repeat(72)}\n\n`));

// The hook's executable: pre-commit runs it with the arguments of the hook's `entry`.
writeFileSync(
  join(tmp, 'ksec-scan.js'),
  `#!/usr/bin/env node
// ksec scan, for pre-commit (.pre-commit-hooks.yaml); written by scripts/build-action.mjs
const { run, outputPending } = await import('./scan-hook.js');
const code = await run(process.argv.slice(2));
if (outputPending()) process.exitCode = code;
else process.exit(code);
`,
  { mode: 0o755 },
);

const old = `${out}.${process.pid}.old`;
if (existsSync(out)) renameSync(out, old);
renameSync(tmp, out);
rmSync(old, { recursive: true, force: true });

