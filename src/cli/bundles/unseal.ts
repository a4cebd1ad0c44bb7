/** The bundle of `ksec unseal`: the program with this command alone, and its implementation. */
import { provide } from '../implementations.js';
import { runOnly } from '../main.js';
import { registerUnseal } from '../unseal.js';

export { outputPending } from '../main.js';
provide({ unseal: () => import('../../commands/unseal.js') });
export const run = runOnly('unseal', registerUnseal);
