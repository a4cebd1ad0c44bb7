/**
 * `ksec validate`: offline checks of SealedSecrets, one line per problem
 * (or a JSON report); exit code 1 when one is invalid.
 */
import { ExitCode, KsecError } from '../errors.js';
import { objectRef } from '../manifest/objects.js';
import { readObjects, STDIN } from '../manifest/read.js';
import { parseFormat } from '../manifest/write.js';
import { loadCertificate } from '../seal/cert.js';
import { loadPrivateKeys } from '../seal/keys.js';
import { validateSealedSecret } from '../seal/validate.js';
import { note, noteSkipped, progress, warn } from '../terminal/messages.js';
import { writeStdout } from '../terminal/output.js';
import { privateKeyPaths, type PrivateKeyFlags } from './shared-flags.js';

export interface ValidateFlags extends PrivateKeyFlags {
  file?: string[];
  cert?: string;
  namespace?: string;
  format?: string;
}

export async function runValidate(flags: ValidateFlags): Promise<void> {
  const format = parseFormat(flags.format ?? 'text', ['text', 'json']);
  const paths = privateKeyPaths(flags);
  const privateKeys = paths.length ? (await loadPrivateKeys(paths)).map((k) => k.key) : undefined;
  const certificate = flags.cert ? await loadCertificate(flags.cert, { allowExpired: true }) : undefined;
  if (certificate && certificate.notAfter.getTime() < Date.now()) {
    // checking against it still works; sealing with it does not (kubeseal and ksec seal refuse)
    warn(`the certificate ${flags.cert} expired on ${certificate.notAfter.toISOString().slice(0, 10)}: the controller has likely rotated its key; fetch the current one (ksec cert --fetch)`);
  }
  const inputs = flags.file?.length ? flags.file : [STDIN];
  const skipped: string[] = [];
  const objects = (await readObjects(inputs, { skipped })).filter((o) => o.object.kind === 'SealedSecret');
  noteSkipped(skipped);
  if (objects.length === 0) {
    throw new KsecError('no SealedSecret found', { file: inputs.join(', '), hint: 'give files with kind: SealedSecret' });
  }
  const bar = progress('validating', objects.length);
  const report = objects.map((o) => {
    const problems = validateSealedSecret(o.object, { certificate, privateKeys, namespace: flags.namespace });
    bar.tick();
    return { file: o.file.path, line: o.document.line, object: objectRef(o.object), problems };
  });
  bar.done();
  const invalid = report.filter((r) => r.problems.length > 0);
  if (format === 'json') {
    await writeStdout(JSON.stringify({ checked: report.length, invalid: invalid.length, results: report }, null, 2) + '\n');
  } else {
    const lines = invalid.flatMap((r) =>
      r.problems.map((p) => `${r.file}:${r.line}: ${r.object}: ${p.key === undefined ? '' : `encryptedData.${p.key}: `}${p.message} [${p.code}]\n`),
    );
    await writeStdout(lines.join(''));
    const checks = [certificate ? 'cert' : '', privateKeys ? 'decrypt' : ''].filter(Boolean).join(' + ');
    note(`${report.length} SealedSecret(s) checked${checks ? ` (structure + ${checks})` : ' (structure)'}: ${invalid.length} invalid`);
  }
  if (invalid.length > 0) process.exitCode = ExitCode.findings;
}
