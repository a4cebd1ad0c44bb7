/** The bundle of `ksec reencrypt`: the program with this command alone, and its implementation. */
import { provide } from '../implementations.js';
import { runOnly } from '../main.js';
import { registerReencrypt } from '../reencrypt.js';

export { outputPending } from '../main.js';
provide({ reencrypt: () => import('../../commands/reencrypt.js') });
export const run = runOnly('reencrypt', registerReencrypt);
