/**
 * Every command in one program, with every implementation: the entry of the
 * single executable (scripts/package-binary.mjs), which is one script. The npm
 * package's bin/ksec.js loads one command's bundle instead.
 */
import './cert.js';
import './checksum.js';
import './doctor.js';
import './eso.js';
import './keygen.js';
import './keys.js';
import './reencrypt.js';
import './scan.js';
import './seal.js';
import './sops.js';
import './unseal.js';
import './validate.js';
import './watch.js';
import { commandModules } from '../commands.js';
import { run as runProgram } from '../main.js';

export { outputPending } from '../main.js';
export const run = (argv: string[]): Promise<number> => runProgram(argv, commandModules);
