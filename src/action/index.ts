/** The Action's entry point (bundled to action/dist/index.js by scripts/build-action.mjs). */
import { run } from './scan-action.js';

await run();
