/** The bundle of `ksec cert`: the program with this command alone, and its implementation. */
import { provide } from '../implementations.js';
import { runOnly } from '../main.js';
import { registerCert } from '../cert.js';

export { outputPending } from '../main.js';
provide({ cert: () => import('../../commands/cert.js') });
export const run = runOnly('cert', registerCert);
