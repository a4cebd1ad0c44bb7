/**
 * How a command's action reaches its implementation (src/commands/). The flag
 * declarations in src/cli/ never import an implementation themselves: each CLI
 * bundle's entry (src/cli/bundles/) `provide`s the loaders of the commands it
 * carries, so a bundle holds exactly one command's code (bin/ksec.js routes
 * each command to its own bundle) and the program's help bundle
 * (src/cli/ksec.ts) holds none.
 */
import { KsecError } from '../errors.js';

export interface Implementations {
  cert: typeof import('../commands/cert.js');
  checksum: typeof import('../commands/checksum.js');
  doctor: typeof import('../commands/doctor.js');
  eso: typeof import('../commands/eso.js');
  esoMigrate: typeof import('../commands/eso-migrate.js');
  keygen: typeof import('../commands/keygen.js');
  keys: typeof import('../commands/keys.js');
  reencrypt: typeof import('../commands/reencrypt.js');
  scan: typeof import('../commands/scan.js');
  seal: typeof import('../commands/seal.js');
  sops: typeof import('../commands/sops.js');
  unseal: typeof import('../commands/unseal.js');
  validate: typeof import('../commands/validate.js');
  watch: typeof import('../commands/watch.js');
}

export type Loaders = { [K in keyof Implementations]?: () => Promise<Implementations[K]> };

const loaders: Loaders = {};

/** Makes these implementations reachable from the actions (a bundle's entry calls it once, at load). */
export function provide(given: Loaders): void {
  Object.assign(loaders, given);
}

/** The implementation module of `name`, loaded on first use. */
export function implementation<K extends keyof Implementations>(name: K): Promise<Implementations[K]> {
  const load = loaders[name] as (() => Promise<Implementations[K]>) | undefined;
  if (!load) throw new KsecError(`internal error: this CLI bundle does not carry ${name} (bin/ksec.js gives each command its own bundle)`);
  return load();
}
