/**
 * The esbuild options every ksec bundle shares (scripts/build.mjs: the CLI; scripts/build-action.mjs:
 * the Action and the pre-commit hook): ES modules for Node >= 20.19, split into chunks beside their
 * entries (the CLI build turns splitting off: one bundle per command; worker scripts are started as
 * ./<name>.js next to the chunk or bundle that starts them), whitespace
 * and syntax minified with names kept, and the Node built-ins that bundled CommonJS dependencies
 * require() served without a `require` (builtinRequires).
 */
import { isBuiltin } from 'node:module';

/**
 * A CommonJS dependency bundled into an ES module (commander; the Action's HTTP and toolkit
 * packages) calls require() for Node built-ins, and an ES module has no `require`. Each such call
 * resolves to a one-line module returning `process.getBuiltinModule(name)` (Node >= 20.16), so no
 * chunk needs a createRequire banner (run by every chunk at every start: a few ms of a one-key
 * seal). child_process is loaded on first use: commander requires it as it loads, for executable
 * subcommands ksec does not have, and loading it also loads net and dgram.
 */
export const builtinRequires = {
  name: 'builtin-requires',
  setup(b) {
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) =>
      args.kind === 'require-call' && isBuiltin(args.path) ? { path: args.path.replace(/^node:/, ''), namespace: 'builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents:
        args.path === 'child_process'
          ? "module.exports = new Proxy({}, { get: (_, key) => process.getBuiltinModule('node:child_process')[key] });"
          : `module.exports = process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)});`,
      loader: 'js',
    }));
  },
};

/**
 * For a bundle that carries its dependencies (the Action and the hook: no node_modules beside them):
 * `createRequire(import.meta.url)('x')`, which src/ uses to load a heavy package on first use
 * (src/manifest/yaml-lib.ts), becomes `require('x')`, which esbuild resolves and bundles like an
 * import, still loaded on first use. Left alone, the call would look for node_modules at run time.
 */
export const LAZY_REQUIRE = /createRequire\(import\.meta\.url\)\(/g;

export const bundleLazyRequires = {
  name: 'bundle-lazy-requires',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const contents = (await readFile(args.path, 'utf8')).replace(LAZY_REQUIRE, 'require(');
      return { contents, loader: 'ts' };
    });
  },
};

export const sharedBundleOptions = {
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  plugins: [builtinRequires],
};
