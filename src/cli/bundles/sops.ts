/** The bundle of `ksec sops`: the program with this command alone, and its implementation. */
import { provide } from '../implementations.js';
import { runOnly } from '../main.js';
import { registerSops } from '../sops.js';

export { outputPending } from '../main.js';
provide({ sops: () => import('../../commands/sops.js') });
export const run = runOnly('sops', registerSops);
