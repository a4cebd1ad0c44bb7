/** The bundle of `ksec keygen`: the program with this command alone, and its implementation. */
import { provide } from '../implementations.js';
import { runOnly } from '../main.js';
import { registerKeygen } from '../keygen.js';

export { outputPending } from '../main.js';
provide({ keygen: () => import('../../commands/keygen.js') });
export const run = runOnly('keygen', registerKeygen);
