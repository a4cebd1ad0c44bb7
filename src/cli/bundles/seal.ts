/** The bundle of `ksec seal`: the program with this command alone, and its implementation. */
import { provide } from '../implementations.js';
import { runOnly } from '../main.js';
import { registerSeal } from '../seal.js';

export { outputPending } from '../main.js';
provide({ seal: () => import('../../commands/seal.js') });
export const run = runOnly('seal', registerSeal);
