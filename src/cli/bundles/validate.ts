/** The bundle of `ksec validate`: the program with this command alone, and its implementation. */
import { provide } from '../implementations.js';
import { runOnly } from '../main.js';
import { registerValidate } from '../validate.js';

export { outputPending } from '../main.js';
provide({ validate: () => import('../../commands/validate.js') });
export const run = runOnly('validate', registerValidate);
