/**
 * The command list. Each module only declares flags (commander is its only
 * import) and loads its implementation inside the action.
 */
import type { Command } from 'commander';
import { registerSeal } from './seal.js';
import { registerChecksum } from './checksum.js';
import { registerUnseal } from './unseal.js';
import { registerReencrypt } from './reencrypt.js';
import { registerValidate } from './validate.js';
import { registerKeygen } from './keygen.js';
import { registerCert } from './cert.js';
import { registerEso } from './eso.js';
import { registerScan } from './scan.js';
import { registerWatch } from './watch.js';
import { registerSops } from './sops.js';

export type RegisterCommand = (program: Command) => void;

export const commandModules: RegisterCommand[] = [registerSeal, registerUnseal, registerReencrypt, registerValidate, registerKeygen, registerCert, registerEso, registerScan, registerWatch, registerChecksum, registerSops];
