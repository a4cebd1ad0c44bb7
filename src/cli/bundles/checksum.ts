/** The bundle of `ksec checksum`: the program with this command alone, and its implementation. */
import { provide } from '../implementations.js';
import { runOnly } from '../main.js';
import { registerChecksum } from '../checksum.js';

export { outputPending } from '../main.js';
provide({ checksum: () => import('../../commands/checksum.js') });
export const run = runOnly('checksum', registerChecksum);
