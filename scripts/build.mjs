#!/usr/bin/env node
/**
 * `npm run build`: the library (tsc -> dist/*.js + .d.ts, the package's `exports`) and the CLI bundle
 * (esbuild -> dist/bundle/), which bin/ksec.js loads. Start-up is a feature: one bundled file for
 * the program and its flags instead of ~40 modules plus commander's, the modules that paths share in
 * group files (core.js, seal.js, scan.js), and every lazily imported implementation a chunk or lazy-*.js
 * entry loaded only when it runs. The
 * seal pool worker and the scan worker are entry points of their own, beside the chunks, because they
 * are started with `new Worker(new URL('./pool-worker.js' | './worker.js', import.meta.url))` from
 * code that lands in a chunk of the same directory.
 *
 *   node scripts/build.mjs            both
 *   node scripts/build.mjs --bundle   the CLI bundle only (needs no tsc)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, renameSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
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
 * Node built-ins are loaded when a program first calls one, not when a bundle file imports it. An ES
 * import of a built-in loads it and builds its ES facade, which reads every export: `node:fs`'s reads
 * `fs.promises` and so loads fs/promises, readline and the streams, `node:crypto`'s loads WebCrypto,
 * and `node:child_process` loads net and dgram. So each import of a built-in becomes a small ES
 * module (one per importing module, or the split build would share it in a chunk of its own) that
 * takes the built-in from `process.getBuiltinModule` (Node >= 20.16): a plain function is a wrapper
 * that loads it on the first call; anything else (classes, values, functions carrying properties such
 * as a custom promisify) is read when the importing module loads. esbuild drops the exports nobody
 * imports. This saves a pre-commit scan ~1.5 ms on Node 24, and commander, which needs child_process
 * only for executable subcommands (ksec has none), never loads it. Export names are those of the Node
 * that builds.
 */
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({
      path: `${args.path}#${args.kind === 'require-call' ? 'require' : args.importer}`,
      namespace: 'builtin',
    }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      const [id, importer] = args.path.split('#');
      const builtin = process.getBuiltinModule(id);
      // the helpers' names cannot clash with an export: those never start with two underscores
      const lines = [`let __m;`, `const __load = () => (__m ??= process.getBuiltinModule(${JSON.stringify(id)}));`];
      if (importer === 'require') {
        // CommonJS (commander) keeps the whole object; child_process, the costly one, reads each
        // property from the built-in on use
        lines.push(id === 'node:child_process' ? 'module.exports = new Proxy({}, { get: (_, key) => __load()[key] });' : 'module.exports = __load();');
        return { contents: lines.join('\n'), loader: 'js' };
      }
      lines.push(`const __read = (name) => __load()[name];`, 'export default /* @__PURE__ */ __load();');
      for (const name of Object.getOwnPropertyNames(builtin)) {
        if (!/^[A-Za-z_$][\w$]*$/.test(name) || name === 'default' || name.startsWith('__')) continue;
        const value = Object.getOwnPropertyDescriptor(builtin, name)?.value; // undefined for a getter
        const plain =
          typeof value === 'function' &&
          /^[a-z]/.test(name) &&
          !/^class[\s{]/.test(Function.prototype.toString.call(value)) &&
          Reflect.ownKeys(value).every((k) => k === 'length' || k === 'name' || k === 'prototype');
        lines.push(
          plain
            ? `export function ${name}(...args) { return __load().${name}(...args); }`
            : `export const ${name} = /* @__PURE__ */ __read(${JSON.stringify(name)});`,
        );
      }
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

/** `import ... from name` bundles the file built beforehand at `path`. */
function prebuilt(name, path) {
  return {
    name: `prebuilt-${name}`,
    setup(b) {
      b.onResolve({ filter: new RegExp(`^${name}$`) }, () => ({ path }));
    },
  };
}

/**
 * Shared modules are bundled into a few named files instead of esbuild's split chunks: splitting gives
 * each set of modules shared by a different set of lazy imports a chunk of its own (a one-key seal
 * loaded 15 files), and every file costs the ESM loader about a millisecond. `core.js` holds what
 * nearly every command uses; `seal.js` the sealing path (seal, and the pool that unseal, reencrypt
 * and validate share); `scan.js` the scan. Being one module each, a group keeps one instance of its
 * modules (KsecError's class, ui's state; checkOneInstance proves it for the whole bundle). A group may
 * import the groups listed before it, never a later one.
 */
const GROUPS = [
  {
    file: 'core.js',
    modules: [
      'src/errors.ts',
      'src/cli/ui.ts',
      'src/manifest/objects.ts',
      'src/manifest/read.ts',
      'src/manifest/fast-yaml.ts',
      'src/manifest/open-keys.ts',
      'src/manifest/yaml-lib.ts',
      'src/manifest/write.ts',
      'src/manifest/edit.ts',
      'src/kubeconfig-files.ts',
      'src/seal/scope.ts',
      'src/seal/wire.ts',
      // a SealedSecret's keyless check: scan and validate share it, and as a lazy entry it cost a
      // pre-commit scan two more files (~5 ms on Node 24)
      'src/seal/validate-structure.ts',
    ],
  },
  {
    file: 'seal.js',
    modules: [
      'src/seal/run-seal.ts',
      'src/seal/sealed-secret.ts',
      'src/seal/cert.ts',
      'src/seal/layout.ts',
      'src/seal/go-yaml-emit.ts',
      'src/seal/go-yaml.ts',
      'src/seal/pool.ts',
      'src/seal/pool-jobs.ts',
      'src/seal/hybrid.ts',
    ],
  },
  {
    // `ksec scan` (a pre-commit hook starts it on every commit): all but the worker pool and the
    // report formats other than text, which it loads only when asked for
    file: 'scan.js',
    modules: [
      ...['run', 'scan', 'sources', 'baseline', 'ignore', 'lazy', 'tolerant', 'types'].map((m) => `src/scan/${m}.ts`),
      ...readdirSync(`${root}src/scan/rules`).filter((f) => f.endsWith('.ts')).map((f) => `src/scan/rules/${f}`),
      'src/scan/report/text.ts',
      'src/manifest/lines.ts',
      'src/manifest/position.ts',
      'src/manifest/syntax.ts',
    ],
  },
].map((g) => ({ ...g, modules: g.modules.map((f) => `${root}${f}`) }));

/**
 * Relative imports of a grouped module, from outside its group, become imports of the group's file.
 * Building group `own`, an import of a later group fails the build (it would run before that group),
 * and a dynamic import of a module in no group stays lazy: it becomes `./lazy-<path>.js`, an entry
 * point of the split build (recorded in `lazyEntries`); bundled into the group, its code and its
 * packages' top-level imports would load with the group.
 */
function groupExternal(own, lazyEntries) {
  return {
    name: 'group-external',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const path = resolve(dirname(args.importer), args.path).replace(/\.js$/, '.ts');
        if (!existsSync(path)) return undefined;
        const i = GROUPS.findIndex((g) => g.modules.includes(path));
        if (i < 0) {
          if (!own || args.kind !== 'dynamic-import') return undefined;
          const name = `lazy-${relative(`${root}src`, path).replace(/\.ts$/, '').replaceAll(/[\\/]/g, '-')}`;
          lazyEntries.set(name, path);
          return { path: `./${name}.js`, external: true };
        }
        if (GROUPS[i] === own) return undefined;
        if (own && i > GROUPS.indexOf(own)) return { errors: [{ text: `${own.file} must not import ${GROUPS[i].file} (${args.path})` }] };
        return { path: `./${GROUPS[i].file}`, external: true };
      });
    },
  };
}

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
    legalComments: 'none',
    logLevel: 'warning',
  };
  const lazyEntries = new Map();
  for (const group of GROUPS) {
    const entry = group.modules.map((f) => `export * from ${JSON.stringify(f)};`).join('\n');
    await build({
      ...common,
      stdin: { contents: entry, resolveDir: root, sourcefile: group.file, loader: 'js' },
      outdir: undefined,
      outfile: `${tmp}/${group.file}`,
      plugins: [lazyBuiltins, groupExternal(group, lazyEntries)],
    });
  }
  // commander turned ESM first: bundled into the split build as CommonJS, its wrapper helpers would go
  // to a chunk of their own that every chunk imports (one more file in every run)
  const commanderEsm = `${tmp}.commander.mjs`;
  await build({ ...common, stdin: { contents: "export * from 'commander';", resolveDir: root, loader: 'js' }, outdir: undefined, outfile: commanderEsm, external: [], plugins: [lazyBuiltins] });
  await build({
    ...common,
    entryPoints: { ksec: 'src/cli/main.ts', 'pool-worker': 'src/seal/pool-worker.ts', worker: 'src/scan/worker.ts', ...Object.fromEntries(lazyEntries) },
    chunkNames: 'chunk-[hash]',
    splitting: true,
    plugins: [lazyBuiltins, prebuilt('commander', commanderEsm), groupExternal(undefined)],
  });
  rmSync(commanderEsm);
  for (const group of GROUPS) await checkGroupExports(`${tmp}/${group.file}`, group.modules);
  checkOneInstance(tmp);
  const old = `${out}.${process.pid}.old`;
  try {
    renameSync(out, old);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
}

/**
 * Each source module in one output file only: a group bundles what its modules import statically, so a
 * module outside every group imported both by a group and by a chunk would run twice (two KsecError
 * classes, two states). esbuild marks each module's code with a `// src/...` line.
 */
function checkOneInstance(dir) {
  const seen = new Map();
  for (const file of readdirSync(dir)) {
    for (const [, module] of readFileSync(`${dir}/${file}`, 'utf8').matchAll(/^\/\/ (src\/\S+\.ts)$/gm)) {
      const other = seen.get(module);
      if (other && other !== file) throw new Error(`${module} is bundled into both ${other} and ${file}: add it to a group`);
      seen.set(module, file);
    }
  }
}

/** `export *` drops a name two modules of a group both export: fail the build rather than the run. */
async function checkGroupExports(groupPath, modules) {
  const group = await import(groupPath);
  for (const f of modules) {
    const r = await build({ entryPoints: [f], bundle: true, write: false, metafile: true, format: 'esm', platform: 'node', packages: 'external', logLevel: 'silent', outdir: '/tmp' });
    const exports = Object.values(r.metafile.outputs)[0].exports;
    const missing = exports.filter((name) => !(name in group));
    if (missing.length) throw new Error(`${groupPath} lacks ${missing.join(', ')} of ${f} (two of its modules export the same name?)`);
  }
}

if (!process.argv.includes('--bundle')) {
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
}
await bundle();
