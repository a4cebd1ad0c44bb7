#!/usr/bin/env node
import module from 'node:module';

// Node >= 22.1 caches compiled code on disk (NODE_COMPILE_CACHE or <tmpdir>/node-compile-cache), so
// warm runs skip compiling the CLI. Node honours NODE_DISABLE_COMPILE_CACHE; an unwritable directory
// (a read-only root filesystem) only means nothing is cached. Absent on Node 20.
module.enableCompileCache?.();

// Each command has a bundle of its own (scripts/build.mjs); anything else (no command, help, a
// typo) gets the whole program's, which has every command's flags and help. Global flags take no
// value, so the first word that is not a flag names the command.
const argv = process.argv.slice(2);
const name = argv.find((a) => !a.startsWith('-'));
const { run, outputPending } = await import(name !== undefined && /^[a-z]+$/.test(name) ? `../dist/bundle/ksec-${name}.js` : '../dist/bundle/ksec.js').catch(
  (err) => {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes(`ksec-${name}.js`)) throw err;
    return import('../dist/bundle/ksec.js');
  },
);

const code = await run(argv);
// Leave now rather than let Node tear the heap down (~1.5 ms of every run), unless output is still
// queued on a stream (a slow reader of a non-blocking pipe): a natural exit waits for it.
if (outputPending()) process.exitCode = code;
else process.exit(code);
