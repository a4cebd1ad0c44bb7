/** The bundle of `ksec scan`: the program with this command alone, and its implementation. */
import { provide } from '../implementations.js';
import { runOnly } from '../main.js';
import { registerScan } from '../scan.js';

export { outputPending } from '../main.js';
provide({ scan: () => import('../../commands/scan.js') });
export const run = runOnly('scan', registerScan);
