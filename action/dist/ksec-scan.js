#!/usr/bin/env node
// ksec scan, for pre-commit (.pre-commit-hooks.yaml); written by scripts/build-action.mjs
const { run, outputPending } = await import('./scan-hook.js');
const code = await run(process.argv.slice(2));
if (outputPending()) process.exitCode = code;
else process.exit(code);
