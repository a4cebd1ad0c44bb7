#!/usr/bin/env node
/**
 * `npm run build`: the library and the CLI.
 *
 *   dist/*.js + .d.ts   tsc (tsconfig.build.json): the library, the package's `exports`
 *   dist/bundle/        esbuild: the CLI that bin/ksec.js loads
 *
 * The CLI bundle is one esbuild run with code splitting. Entry points: `ksec.js` (the program and
 * every command's flags) and the two worker scripts, `pool-worker.js` (seal pool) and `worker.js`
 * (scan), which sit in the same directory as the chunks that start them with
 * `new Worker(new URL('./x.js', import.meta.url))`. Each command's implementation is a lazy
 * `import()` and so a chunk of its own: `ksec seal` never loads scan's or watch's code.
 * Only commander is bundled; every other dependency stays external: the AWS SDK, the Kubernetes
 * client and node-forge load only in the commands that use them, and `yaml` stays the one instance
 * that src/manifest/yaml-lib.ts loads.
 *
 *   node scripts/build.mjs            both
 *   node scripts/build.mjs --bundle   the CLI bundle only (needs no tsc)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { sharedBundleOptions } from './esbuild-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/bundle`;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const external = Object.keys(pkg.dependencies)
  .filter((name) => name !== 'commander')
  .flatMap((name) => [name, `${name}/*`]);

if (!process.argv.includes('--bundle')) {
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
}

// Built beside and then swapped in, so a CLI started during the build sees a whole bundle.
const tmp = `${out}.${process.pid}.tmp`;
rmSync(tmp, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { ksec: 'src/cli/ksec.ts', 'pool-worker': 'src/seal/pool-worker.ts', worker: 'src/scan/worker.ts' },
  outdir: tmp,
  ...sharedBundleOptions,
  external,
});
const old = `${out}.${process.pid}.old`;
try {
  renameSync(out, old);
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}
renameSync(tmp, out);
rmSync(old, { recursive: true, force: true });
