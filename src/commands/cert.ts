/**
 * `ksec cert`: a sealing certificate's fingerprint (as kubeseal and the
 * controller compute it), subject and validity, as text, JSON or the PEM
 * itself; exit code 1 when it is not valid now.
 */
import { ExitCode, KsecError } from '../errors.js';
import { readStdin } from '../manifest/read.js';
import { parseFormat } from '../manifest/write.js';
import { fetchControllerCertificate, loadCertificate, parseCertificate } from '../seal/cert.js';
import { writeStdout } from '../terminal/output.js';
import { controllerRef, type ControllerFlags } from './shared-flags.js';

export interface CertFlags extends ControllerFlags {
  cert?: string;
  fetch?: boolean;
  format?: string;
}

export async function runCert(flags: CertFlags): Promise<void> {
  const format = parseFormat(flags.format ?? 'text', ['text', 'json', 'pem']);
  if (Boolean(flags.fetch) === Boolean(flags.cert)) {
    throw new KsecError(flags.fetch ? '--cert and --fetch exclude each other' : 'no certificate given', {
      hint: 'pass --cert FILE|URL|- or --fetch (with --controller-name / --controller-namespace)',
    });
  }
  const load = { allowExpired: true };
  const cert = flags.fetch
    ? await fetchControllerCertificate(controllerRef(flags), load)
    : flags.cert === '-'
      ? parseCertificate(await readStdin(), '<stdin>', load)
      : await loadCertificate(flags.cert!, load);

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
  if (state !== 'valid') process.exitCode = ExitCode.findings;
}

/** A distinguished name printed one RDN per line by X509Certificate, on one line. */
function oneLine(text: string | undefined): string {
  return (text ?? '').split('\n').filter(Boolean).join(', ');
}
