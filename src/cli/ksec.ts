/** The ksec program with every command: the CLI bundle's entry, loaded by bin/ksec.js. */
import { commandModules } from './commands.js';
import { run as runProgram } from './main.js';

export { outputPending } from './main.js';

/** `ksec ARGV...`: the exit code; never throws. */
export const run = (argv: string[]): Promise<number> => runProgram(argv, commandModules);
