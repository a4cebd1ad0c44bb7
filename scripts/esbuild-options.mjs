/**
 * The esbuild options every ksec bundle shares (scripts/build.mjs: the CLI; scripts/build-action.mjs:
 * the Action and the pre-commit hook): ES modules for Node >= 20.19, split into chunks beside their
 * entries (worker scripts are started as ./<name>.js next to the chunk that starts them), whitespace
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
