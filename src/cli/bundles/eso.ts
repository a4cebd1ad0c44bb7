/** The bundle of `ksec eso`: the program with this command alone, and its implementation. */
import { provide } from '../implementations.js';
import { runOnly } from '../main.js';
import { registerEso } from '../eso.js';

export { outputPending } from '../main.js';
provide({ eso: () => import('../../commands/eso.js'), esoMigrate: () => import('../../commands/eso-migrate.js') });
export const run = runOnly('eso', registerEso);
