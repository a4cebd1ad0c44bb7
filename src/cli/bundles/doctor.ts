/** The bundle of `ksec doctor`: the program with this command alone, and its implementation. */
import { provide } from '../implementations.js';
import { runOnly } from '../main.js';
import { registerDoctor } from '../doctor.js';

export { outputPending } from '../main.js';
provide({ doctor: () => import('../../commands/doctor.js') });
export const run = runOnly('doctor', registerDoctor);
