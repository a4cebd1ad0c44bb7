/**
 * The esbuild options every ksec bundle shares (scripts/build.mjs: the CLI; scripts/build-action.mjs:
 * the Action and the pre-commit hook): ES modules for Node >= 20.19, split into chunks beside their
 * entries (worker scripts are started as ./<name>.js next to the chunk that starts them), whitespace
 * and syntax minified with names kept, and a `require` for the CommonJS dependencies bundled in.
 */
export const sharedBundleOptions = {
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // CommonJS dependencies (commander) require() Node built-ins: an ES module needs a require for that
  banner: { js: "import { createRequire as __ksecCreateRequire } from 'node:module'; const require = __ksecCreateRequire(import.meta.url);" },
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};
