/**
 * `ksec cert`: what a sealing certificate is — the SHA256 fingerprint the
 * controller and kubeseal key it by, subject, validity. Flags only at
 * start-up; the implementation (and the Kubernetes client for --fetch) loads
 * inside the action.
 */
import type { Command } from 'commander';

export interface CertFlags {
  cert?: string;
  fetch?: boolean;
  controllerName?: string;
  controllerNamespace?: string;
  kubeconfig?: string;
  context?: string;
  format?: string;
}

export function registerCert(program: Command): void {
  program
    .command('cert')
    .description('show a sealing certificate: kubeseal\'s SHA256 fingerprint, subject, validity; --fetch it from the controller')
    .option('--cert <file|url>', 'PEM certificate file, http(s) URL, or - for stdin')
    .option('--fetch', 'fetch the certificate from the controller through the Kubernetes API (like kubeseal --fetch-cert)')
    .option('--controller-name <name>', 'the controller\'s Service name', 'sealed-secrets-controller')
    .option('--controller-namespace <ns>', 'the controller\'s namespace', 'kube-system')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('-o, --format <format>', 'text, json or pem (pem prints the certificate itself, e.g. to save a fetched one)', 'text')
    .addHelpText(
      'after',
      `
Examples:
  ksec cert --cert examples/keys/demo-sealed-secrets.crt
  ksec cert --fetch --controller-namespace sealed-secrets --controller-name sealed-secrets -o json
  ksec cert --fetch -o pem > pub-cert.pem

Exit codes: 0 valid now; 1 expired or not yet valid (the details are still printed);
2 not a certificate / not RSA / missing file / unreachable URL; 3 cluster unreachable (--fetch).`,
    )
    .action(async (opts: CertFlags) => {
      await runCert(opts);
    });
}

async function runCert(opts: CertFlags): Promise<void> {
  const [certs, { writeStdout, parseFormat }, { readStdin }, errors] = await Promise.all([
    import('../seal/cert.js'),
    import('../manifest/write.js').then(async (w) => ({ ...w, ...(await import('../terminal/output.js')) })),
    import('../manifest/read.js'),
    import('../errors.js'),
  ]);
  const format = parseFormat(opts.format ?? 'text', ['text', 'json', 'pem']);
  if (Boolean(opts.fetch) === Boolean(opts.cert)) {
    throw new errors.KsecError(opts.fetch ? '--cert and --fetch exclude each other' : 'no certificate given', {
      hint: 'pass --cert FILE|URL|- or --fetch (with --controller-name / --controller-namespace)',
    });
  }
  const load = { allowExpired: true };
  const cert = opts.fetch
    ? await certs.fetchControllerCertificate(
        { controllerName: opts.controllerName, controllerNamespace: opts.controllerNamespace, kubeconfig: opts.kubeconfig, context: opts.context },
        load,
      )
    : opts.cert === '-'
      ? certs.parseCertificate(await readStdin(), '<stdin>', load)
      : await certs.loadCertificate(opts.cert!, load);

  const now = Date.now();
  const state = now > cert.notAfter.getTime() ? 'expired' : now < cert.notBefore.getTime() ? 'not yet valid' : 'valid';
  const days = Math.floor((cert.notAfter.getTime() - now) / 86_400_000);
  if (format === 'pem') {
    await writeStdout(cert.pem);
  } else if (format === 'json') {
    const info = {
      source: cert.source,
      fingerprint: cert.fingerprint,
      subject: cert.subject ?? '',
      issuer: cert.x509.issuer ?? '',
      serialNumber: cert.x509.serialNumber,
      notBefore: cert.notBefore.toISOString(),
      notAfter: cert.notAfter.toISOString(),
      state,
      keyType: 'RSA',
      keyBits: cert.modulusBits,
      certificateSha256: cert.certificateSha256,
    };
    await writeStdout(JSON.stringify(info, null, 2) + '\n');
  } else {
    const rows: [string, string][] = [
      ['source', cert.source],
      ['fingerprint', cert.fingerprint],
      ['subject', oneLine(cert.subject) || '(empty)'],
      ['issuer', oneLine(cert.x509.issuer) || '(empty)'],
      ['serial', cert.x509.serialNumber],
      ['not before', cert.notBefore.toISOString()],
      ['not after', `${cert.notAfter.toISOString()} (${state === 'expired' ? `expired ${-days} day(s) ago` : state === 'valid' ? `${days} day(s) left` : state})`],
      ['key', `RSA ${cert.modulusBits} bits`],
      ['cert sha256', cert.certificateSha256],
    ];
    await writeStdout(rows.map(([k, v]) => `${(k + ':').padEnd(13)}${v}\n`).join(''));
  }
  if (state !== 'valid') process.exitCode = errors.ExitCode.findings;
}

function oneLine(text: string | undefined): string {
  return (text ?? '').split('\n').filter(Boolean).join(', ');
}
