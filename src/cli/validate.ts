/**
 * `ksec validate`: offline checks of SealedSecrets (structure, base64, length
 * prefix vs the cert's modulus, scope annotations; with keys, a decrypt
 * check). Flags only at start-up; the implementation loads inside the action.
 */
import type { Command } from 'commander';
import { addPrivateKeyOptions, privateKeyPaths } from './unseal.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export interface ValidateFlags {
  file?: string[];
  cert?: string;
  privateKey?: string[];
  recoveryPrivateKey?: string[];
  namespace?: string;
  format?: string;
}

export function registerValidate(program: Command): void {
  const cmd = program
    .command('validate')
    .description('check SealedSecrets offline: structure, base64, length vs the cert, scope annotations; decrypt check with keys')
    .option('-f, --file <file>', 'SealedSecret file or directory (repeatable; default: stdin)', collect)
    .option('--cert <file|url>', 'the sealing certificate: every value must fit its RSA modulus');
  addPrivateKeyOptions(cmd, false)
    .option('-n, --namespace <ns>', 'namespace for SealedSecrets that have none (needed for the decrypt check)')
    .option('-o, --format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      `
Examples:
  ksec validate -f sealed/
  ksec validate -f sealed/ --cert pub-cert.pem
  ksec validate -f db-sealed.yaml --private-key keys-backup.yaml -o json

Each problem is one line: file:line: object: encryptedData.KEY: message [code]. Values are never printed.
Exit codes: 0 all valid; 1 a SealedSecret is invalid; 2 bad input (no SealedSecret, unreadable file or key).`,
    )
    .action(async (opts: ValidateFlags) => {
      await runValidate(opts);
    });
}

async function runValidate(opts: ValidateFlags): Promise<void> {
  const [{ readObjects, STDIN }, { writeStdout, parseFormat }, { loadPrivateKeys }, { validateSealedSecret }, { loadCertificate }, errors, { objectRef }, ui] =
    await Promise.all([
      import('../manifest/read.js'),
      import('../manifest/write.js').then(async (w) => ({ ...w, ...(await import('../terminal/output.js')) })),
      import('../seal/keys.js'),
      import('../seal/validate.js'),
      import('../seal/cert.js'),
      import('../errors.js'),
      import('../manifest/objects.js'),
      import('../terminal/messages.js'),
    ]);
  const format = parseFormat(opts.format ?? 'text', ['text', 'json']);
  const paths = privateKeyPaths(opts);
  const privateKeys = paths.length ? (await loadPrivateKeys(paths)).map((k) => k.key) : undefined;
  const certificate = opts.cert ? await loadCertificate(opts.cert, { allowExpired: true }) : undefined;
  const inputs = opts.file?.length ? opts.file : [STDIN];
  const objects = (await readObjects(inputs)).filter((o) => o.object.kind === 'SealedSecret');
  if (objects.length === 0) {
    throw new errors.KsecError('no SealedSecret found', { file: inputs.join(', '), hint: 'give files with kind: SealedSecret' });
  }
  const bar = ui.progress('validating', objects.length);
  const report = objects.map((o) => {
    const problems = validateSealedSecret(o.object, { certificate, privateKeys, namespace: opts.namespace });
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
    ui.note(`${report.length} SealedSecret(s) checked${checks ? ` (structure + ${checks})` : ' (structure)'}: ${invalid.length} invalid`);
  }
  if (invalid.length > 0) process.exitCode = errors.ExitCode.findings;
}
