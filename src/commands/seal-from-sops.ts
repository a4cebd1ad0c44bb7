/**
 * `ksec seal --from-sops FILE`: SOPS-encrypted Secrets straight to
 * SealedSecrets, through the same sealing as `ksec seal` (seal/targets.ts,
 * seal/seal-secrets.ts, seal/sealed-files.ts). Output goes to stdout, or to
 * one -w file per certificate.
 */
import type { FileToWrite } from '../manifest/write.js';
import { writeFiles } from './write-files.js';
import { defaultNamespace } from '../seal/default-namespace.js';
import { startSealing } from '../seal/seal-secrets.js';
import { oneFilePerCluster, renderForTarget } from '../seal/sealed-files.js';
import { loadTargets } from '../seal/targets.js';
import { decryptSecretFiles } from '../sops/decrypt-secrets.js';
import { findIdentities } from '../sops/keys.js';
import { progress, warn } from '../terminal/messages.js';
import { writeStdout } from '../terminal/output.js';
import type { SealFromSopsPlan } from './seal-plan.js';

export async function runSealFromSops(plan: SealFromSopsPlan): Promise<void> {
  const found = await findIdentities({ keyFiles: plan.ageKeyFiles });
  for (const w of found.warnings) warn(w);
  const sources = await decryptSecretFiles(plan.files, found);
  const targets = await loadTargets(plan.certificates);
  const bar = progress('sealing values');
  const namespace = plan.secrets.namespace ? undefined : await defaultNamespace(plan.namespaceFrom);
  const sealing = startSealing(targets, { ...plan.secrets, defaultNamespace: namespace, onProgress: (n) => bar.tick(n) });
  let result: { stdout: string } | { files: FileToWrite[] };
  try {
    for (const source of sources) bar.grow(sealing.add(source));
    const { output } = plan;
    result =
      output.to === 'stdout'
        ? { stdout: await renderForTarget(sealing, 0, sources.length, output.format) }
        : { files: await oneFilePerCluster(sealing, targets, sources.length, output.path, output.format) };
  } finally {
    sealing.close();
    bar.done();
  }
  if ('stdout' in result) await writeStdout(result.stdout);
  else await writeFiles(result.files);
}
