#!/usr/bin/env node
import module from 'node:module';

// Node >= 22.1 caches compiled code on disk (NODE_COMPILE_CACHE or <tmpdir>/node-compile-cache), so
// warm runs skip compiling the CLI. Node honours NODE_DISABLE_COMPILE_CACHE; an unwritable directory
// (a read-only root filesystem) only means nothing is cached. Absent on Node 20.
module.enableCompileCache?.();
const { run, outputPending } = await import('../dist/bundle/ksec.js');

const code = await run(process.argv.slice(2));
// Leave now rather than let Node tear the heap down (~1.5 ms of every run), unless output is still
// queued on a stream (a slow reader of a non-blocking pipe): a natural exit waits for it.
if (outputPending()) process.exitCode = code;
else process.exit(code);
