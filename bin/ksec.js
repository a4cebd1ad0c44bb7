#!/usr/bin/env node
import module from 'node:module';

// Node >= 22.1 caches compiled code on disk (NODE_COMPILE_CACHE or <tmpdir>/node-compile-cache), so
// warm runs skip compiling the CLI. Node honours NODE_DISABLE_COMPILE_CACHE; an unwritable directory
// (a read-only root filesystem) only means nothing is cached. Absent on Node 20.
module.enableCompileCache?.();
const { run } = await import('../dist/bundle/ksec.js');

process.exitCode = await run(process.argv.slice(2));
