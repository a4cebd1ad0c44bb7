/** The bundle of `ksec watch`: the program with this command alone, and its implementation. */
import { provide } from '../implementations.js';
import { runOnly } from '../main.js';
import { registerWatch } from '../watch.js';

export { outputPending } from '../main.js';
provide({ watch: () => import('../../commands/watch.js') });
export const run = runOnly('watch', registerWatch);
