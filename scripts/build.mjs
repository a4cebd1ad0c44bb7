#!/usr/bin/env node
/**
 * `npm run build`: the library and the CLI.
 *
 *   dist/*.js + .d.ts   tsc (tsconfig.build.json): the library, the package's `exports`
 *   dist/bundle/        esbuild: the CLI that bin/ksec.js loads
 *
 * The CLI is one esbuild run, without code splitting, of one bundle per command: ksec-<name>.js
 * (src/cli/bundles/<name>.ts: the program with that command's flags, and its implementation), which
 * bin/ksec.js picks by the command's name, so a run loads one module of ksec's code (Node 20's ES
 * module loader charges each module it loads: 28 chunks cost a one-key seal ~15 ms). `ksec.js` is
 * the whole program's flags and help, with no implementation (help, typos). The two worker entries,
 * `pool-worker.js` (seal pool) and `worker.js` (scan), sit beside the bundles that start them with
 * `new Worker(new URL('./x.js', import.meta.url))`. A lazy `import()` inside a command is part of its
 * bundle (compiled only when called). Only commander is bundled; every other dependency stays
 * external and is loaded where it is used (the AWS SDK, the Kubernetes client, node-forge, and
 * `yaml` through src/manifest/yaml-lib.ts), never by a top-level import that a bundle would hoist.
 *
 *   node scripts/build.mjs            both
 *   node scripts/build.mjs --bundle   the CLI bundle only (needs no tsc)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
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
  entryPoints: {
    ksec: 'src/cli/ksec.ts',
    ...Object.fromEntries(
      readdirSync(`${root}src/cli/bundles`)
        .filter((f) => f.endsWith('.ts') && f !== 'all.ts')
        .map((f) => [`ksec-${f.slice(0, -3)}`, `src/cli/bundles/${f}`]),
    ),
    'pool-worker': 'src/seal/pool-worker.ts',
    worker: 'src/scan/worker.ts',
  },
  outdir: tmp,
  ...sharedBundleOptions,
  splitting: false,
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
