#!/usr/bin/env node
/**
 * `npm run build`: the library (tsc -> dist/*.js + .d.ts, the package's `exports`) and the CLI bundle
 * (esbuild -> dist/bundle/), which bin/ksec.js loads. Start-up is a feature: one bundled file for
 * the program and its flags instead of ~40 modules plus commander's, the modules most commands share
 * in core.js, and every lazily imported command implementation a chunk loaded only when it runs. The
 * seal pool worker and the scan worker are entry points of their own, beside the chunks, because they
 * are started with `new Worker(new URL('./pool-worker.js' | './worker.js', import.meta.url))` from
 * code that lands in a chunk of the same directory.
 *
 *   node scripts/build.mjs            both
 *   node scripts/build.mjs --bundle   the CLI bundle only (needs no tsc)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/bundle`;

/**
 * Bundled: our own code and commander (CommonJS, seven files, needed by every run). Every other
 * dependency stays external: the AWS SDK, @kubernetes/client-node and node-forge are loaded only by
 * the commands that use them, and `yaml` must stay the one instance that src/manifest/yaml-lib.ts
 * require()s.
 */
const BUNDLED = new Set(['commander']);
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const EXTERNAL = Object.keys(pkg.dependencies).filter((d) => !BUNDLED.has(d)).flatMap((d) => [d, `${d}/*`]);

/**
 * commander require()s node:child_process at load for executable subcommands, which ksec does not
 * use; loading that built-in costs ~5 ms of every run. It gets a stand-in that loads the real module
 * on first use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "let cp; module.exports = { spawn: (...args) => (cp ??= require('node:child_process')).spawn(...args) };",
      loader: 'js',
    }));
  },
};

/**
 * Modules nearly every command uses go into one `core.js`, which the CLI, its chunks and the workers
 * import. esbuild's splitting would give each set of modules shared by a different set of lazy imports
 * a chunk of its own (a one-key seal loaded 15 files); every file costs the ESM loader about a
 * millisecond. Being one module, core keeps one instance of each (KsecError's class, ui's state).
 */
const CORE = [
  'src/errors.ts',
  'src/cli/ui.ts',
  'src/manifest/objects.ts',
  'src/manifest/read.ts',
  'src/manifest/fast-yaml.ts',
  'src/manifest/yaml-lib.ts',
  'src/manifest/write.ts',
  'src/manifest/edit.ts',
  'src/kubeconfig-files.ts',
  'src/seal/scope.ts',
].map((f) => `${root}${f}`);

/** Relative imports of a core module, from outside core.js, become imports of ./core.js. */
const coreExternal = {
  name: 'core-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const path = resolve(dirname(args.importer), args.path).replace(/\.js$/, '.ts');
      return CORE.includes(path) && existsSync(path) ? { path: './core.js', external: true } : undefined;
    });
  },
};

async function bundle() {
  // build beside, then swap, so a CLI run by someone else during the build sees a whole bundle
  const tmp = `${out}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const common = {
    absWorkingDir: root,
    outdir: tmp,
    entryNames: '[name]',
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external: EXTERNAL,
    // commander is CommonJS and require()s Node built-ins; ESM output has no `require` of its own
    banner: { js: "import { createRequire as __ksecCreateRequire } from 'node:module'; const require = __ksecCreateRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
  };
  const coreEntry = CORE.map((f) => `export * from ${JSON.stringify(f)};`).join('\n');
  await build({ ...common, stdin: { contents: coreEntry, resolveDir: root, sourcefile: 'core.js', loader: 'js' }, outdir: undefined, outfile: `${tmp}/core.js` });
  await build({
    ...common,
    entryPoints: { ksec: 'src/cli/main.ts', 'pool-worker': 'src/seal/pool-worker.ts', worker: 'src/scan/worker.ts' },
    chunkNames: 'chunk-[hash]',
    splitting: true,
    plugins: [lazyChildProcess, coreExternal],
  });
  await checkCoreExports(`${tmp}/core.js`);
  const old = `${out}.${process.pid}.old`;
  try {
    renameSync(out, old);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
}

/** `export *` drops a name two core modules both export: fail the build rather than the run. */
async function checkCoreExports(corePath) {
  const core = await import(corePath);
  for (const f of CORE) {
    const r = await build({ entryPoints: [f], bundle: true, write: false, metafile: true, format: 'esm', platform: 'node', packages: 'external', logLevel: 'silent', outdir: '/tmp' });
    const exports = Object.values(r.metafile.outputs)[0].exports;
    const missing = exports.filter((name) => !(name in core));
    if (missing.length) throw new Error(`core.js lacks ${missing.join(', ')} of ${f} (two core modules export the same name?)`);
  }
}

if (!process.argv.includes('--bundle')) {
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
}
await bundle();
