/** The test bed's kubeconform (sigs.k8s.io/yaml, as kubectl reads manifests). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { toolsDir } from '../testbed/versions.js';

export function kubeconform(): string {
  const path = join(process.env.KSEC_TESTBED_TOOLS ?? toolsDir(), 'kubeconform');
  if (!existsSync(path)) throw new Error('kubeconform is not installed: run npm run -s testbed:install');
  return path;
}
