/** The bundle of `ksec keys`: the program with this command alone, and its implementation. */
import { provide } from '../implementations.js';
import { runOnly } from '../main.js';
import { registerKeys } from '../keys.js';

export { outputPending } from '../main.js';
provide({ keys: () => import('../../commands/keys.js') });
export const run = runOnly('keys', registerKeys);
