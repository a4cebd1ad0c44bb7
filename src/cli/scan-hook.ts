/**
 * `ksec scan` as a program of its own, with only scan's code: the pre-commit hook's entry
 * (.pre-commit-hooks.yaml runs action/dist/ksec-scan.js, bundled by scripts/build-action.mjs
 * with the machine's Node and no install step). The hook's arguments are scan's.
 */
import { run as runScanBundle } from './bundles/scan.js';

export { outputPending } from './main.js';

/** `ksec scan ARGV...`: the exit code; never throws. */
export const run = (argv: string[]): Promise<number> => runScanBundle(['scan', ...argv]);
