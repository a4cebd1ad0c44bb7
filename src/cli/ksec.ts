/**
 * The ksec program with every command's flags and help and no implementation: the bundle bin/ksec.js
 * loads when no command is named, for help, --version and typos (a named command has its own
 * bundle, src/cli/bundles/).
 */
import { commandModules } from './commands.js';
import { run as runProgram } from './main.js';

export { outputPending } from './main.js';

/** `ksec ARGV...`: the exit code; never throws. */
export const run = (argv: string[]): Promise<number> => runProgram(argv, commandModules);
