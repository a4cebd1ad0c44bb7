/**
 * vitest globalSetup of the e2e project: brings the test bed up (reusing one
 * that is already running, e.g. after `eval "$(npm run -s testbed:up)"`), puts
 * its environment into process.env (inherited by the test workers, which are
 * started after this) and provides the state file path. At the end the bed is
 * stopped only if a test run started it and no other test run still uses it
 * (a bed started by hand with `testbed:up` keeps running; so does any bed when
 * KSEC_TESTBED_KEEP=1).
 */
import type { TestProject } from 'vitest/node';
import { release, up } from './testbed/up.js';
import { toolsDir } from './testbed/versions.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ksecTestbedState: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { state } = await up({ startedBy: 'vitest', user: true });
  for (const [k, v] of Object.entries(state.env)) {
    process.env[k] = k === 'PATH' ? `${v}:${process.env['PATH'] ?? ''}` : v;
  }
  // this checkout's tools dir first (the bed may have been started by a checkout pinning other CLI tools)
  process.env['KSEC_TESTBED_TOOLS'] = toolsDir();
  process.env['PATH'] = `${toolsDir()}:${process.env['PATH'] ?? ''}`;
  project.provide('ksecTestbedState', state.env['KSEC_TESTBED_STATE']!);
  return async () => {
    if (process.env['KSEC_TESTBED_KEEP']) return;
    await release();
  };
}
