/**
 * The command list: each top-level command's name and the function that
 * registers it. Each module only declares flags (commander is its only
 * import) and reaches its implementation inside the action, through the
 * loader its bundle provides (implementations.ts); main.ts registers only the
 * command being run when argv names one (start-up).
 */
import type { CommandModule } from './main.js';
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
import { registerKeys } from './keys.js';
import { registerDoctor } from './doctor.js';

export const commandModules: CommandModule[] = [
  ['seal', registerSeal],
  ['unseal', registerUnseal],
  ['reencrypt', registerReencrypt],
  ['validate', registerValidate],
  ['keygen', registerKeygen],
  ['cert', registerCert],
  ['eso', registerEso],
  ['scan', registerScan],
  ['watch', registerWatch],
  ['checksum', registerChecksum],
  ['sops', registerSops],
  ['keys', registerKeys],
  ['doctor', registerDoctor],
];
