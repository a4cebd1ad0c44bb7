/**
 * `ksec seal`: the flags become one plan (seal-plan.ts); each mode runs the
 * seal/ functions it needs and writes their output.
 */
import { fileError } from '../errors.js';
import { readStdin } from '../manifest/read.js';
import { writeFileAtomic, type FileToWrite } from '../manifest/write.js';
import { writeFiles } from './write-files.js';
import { fetchControllerCertificatePem, loadCertificate } from '../seal/cert.js';
import { defaultNamespace } from '../seal/default-namespace.js';
import { mergeIntoFile } from '../seal/merge-into-file.js';
import { readSecrets } from '../seal/read-secrets.js';
import { startSealing } from '../seal/seal-secrets.js';
import { sealRaw } from '../seal/sealed-secret.js';
import { oneFilePerCluster, oneFilePerInput, renderForTarget } from '../seal/sealed-files.js';
import { loadTargets } from '../seal/targets.js';
import { note, noteSkipped, progress } from '../terminal/messages.js';
import { writeStdout } from '../terminal/output.js';
import { interactive } from '../terminal/style.js';
import { planSeal, type FetchCertPlan, type MergeIntoPlan, type RawPlan, type SealFlags, type SealSecretsPlan, type SingleOutput } from './seal-plan.js';
import { readUserFile } from '../user-file.js';

export async function runSeal(inputs: string[], flags: SealFlags): Promise<void> {
  const plan = planSeal(inputs, flags);
  switch (plan.mode) {
    case 'fetch-cert':
      return fetchCert(plan);
    case 'validate': {
      const { runValidateOnline } = await import('./seal-online.js');
      return runValidateOnline(plan);
    }
    case 're-encrypt': {
      const { runReencryptOnline } = await import('./seal-online.js');
      return runReencryptOnline(plan);
    }
    case 'raw':
      return sealRawValue(plan);
    case 'merge-into':
      return mergeSecretInto(plan);
    case 'seal':
      return sealSecrets(plan);
    case 'from-sops': {
      const { runSealFromSops } = await import('./seal-from-sops.js');
      return runSealFromSops(plan);
    }
  }
}

async function fetchCert(plan: FetchCertPlan): Promise<void> {
  const { certificate } = plan;
  const pem =
    certificate.from === 'sources'
      ? (await loadCertificate(certificate.sources[0]!.source, { allowExpired: true })).pem
      : (await fetchControllerCertificatePem(certificate.controller)).pem;
  await writeSingle(plan.output, pem);
}

async function sealRawValue(plan: RawPlan): Promise<void> {
  const [target] = await loadTargets(plan.certificates);
  let data: Buffer;
  if (plan.value.from === 'file') {
    data = await readUserFile(plan.value.path);
  } else {
    if (process.stdin.isTTY) note('(tty detected: expecting a secret to encrypt in stdin)');
    data = Buffer.from(await readStdin(), 'utf8');
  }
  const namespace = plan.namespaceFrom ? await defaultNamespace(plan.namespaceFrom) : plan.namespace;
  const out = sealRaw(data, { publicKey: target!.cert.publicKey, scope: plan.scope, name: plan.name, namespace });
  data.fill(0);
  await writeSingle(plan.output, out);
}

async function mergeSecretInto(plan: MergeIntoPlan): Promise<void> {
  const [target] = await loadTargets(plan.certificates);
  const skipped: string[] = [];
  const sources = await readSecrets(plan.inputs, { onStdin: noteStdinExpected, skipped });
  noteSkipped(skipped);
  const text = await mergeIntoFile(plan.path, sources, {
    publicKey: target!.cert.publicKey,
    scope: plan.scope,
    name: plan.name,
    allowEmptyData: plan.allowEmptyData,
    format: plan.format,
  });
  await writeFileAtomic(plan.path, text);
}

async function sealSecrets(plan: SealSecretsPlan): Promise<void> {
  const targets = await loadTargets(plan.certificates);
  const namespace = await defaultNamespace(plan.namespaceFrom);
  // one line on a terminal, its total growing as inputs are read; cleared before anything else is printed
  const bar = progress('sealing values');
  const sealing = startSealing(targets, { ...plan.secrets, defaultNamespace: namespace, onProgress: (n) => bar.tick(n) });
  const skipped: string[] = [];
  const skippedSops: string[] = [];
  let result: { stdout: string } | { files: FileToWrite[] };
  try {
    const sources = await readSecrets(plan.inputs, { onSource: (source) => bar.grow(sealing.add(source)), onStdin: noteStdinExpected, skipped, skippedSops });
    let output = plan.output;
    if (output.to === 'stdout' && (sources.length !== 1 || sources[0]!.root)) output = { to: 'beside-inputs', format: output.directoryFormat };
    switch (output.to) {
      case 'stdout':
        result = { stdout: await renderForTarget(sealing, 0, sources.length, output.format) };
        break;
      case 'file':
        result = { files: await oneFilePerCluster(sealing, targets, sources.length, output.path, output.format) };
        break;
      case 'output-dir':
        result = { files: await oneFilePerInput(sealing, sources, targets, output.format, output.dir) };
        break;
      case 'beside-inputs':
        result = { files: await oneFilePerInput(sealing, sources, targets, output.format) };
        break;
    }
  } finally {
    sealing.close();
    bar.done();
  }
  noteSkipped(skipped);
  if (skippedSops.length > 0) {
    note(`skipped ${skippedSops.length} SOPS-encrypted file${skippedSops.length === 1 ? '' : 's'} (${skippedSops.slice(0, 3).join(', ')}${skippedSops.length > 3 ? ', ...' : ''}); seal them with --from-sops`);
  }
  if ('stdout' in result) await writeStdout(result.stdout);
  else await writeFiles(result.files, plan.verbose);
}

function noteStdinExpected(): void {
  if (interactive() && process.stdin.isTTY) note('(tty detected: expecting json/yaml k8s resource in stdin)');
}

async function writeSingle(output: SingleOutput, text: string): Promise<void> {
  if (output.to === 'file') await writeFileAtomic(output.path, text, 0o600); // -w: kubeseal's mode
  else await writeStdout(text);
}

