/**
 * vitest globalSetup of the e2e project: brings the test bed up (reusing one
 * that is already running, e.g. after `eval "$(npm run -s testbed:up)"`), puts
 * its environment into process.env (inherited by the test workers, which are
 * started after this) and provides the state file path. Tears down only a bed
 * it started itself.
 */
import type { TestProject } from 'vitest/node';
import { down } from './testbed/down.js';
import { up } from './testbed/up.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ksecTestbedState: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { state, started } = await up();
  for (const [k, v] of Object.entries(state.env)) {
    process.env[k] = k === 'PATH' ? `${v}:${process.env['PATH'] ?? ''}` : v;
  }
  project.provide('ksecTestbedState', state.env['KSEC_TESTBED_STATE']!);
  return async () => {
    if (started && !process.env['KSEC_TESTBED_KEEP']) await down();
  };
}
