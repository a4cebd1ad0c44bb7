/**
 * The sealing certificate: loaded from a PEM file, PEM text, an http(s) URL
 * or the controller (through the kube API service proxy, as kubeseal does).
 * Only the first CERTIFICATE block counts, it must hold an RSA key, and an
 * expired certificate is refused, all as kubeseal does.
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { KsecError, fileError } from '../errors.js';
import type { ControllerRef } from './controller-api.js';

export interface SealingCertificate {
  /** where it came from: a path, a URL or `controller NS/NAME` */
  source: string;
  publicKey: KeyObject;
  x509: X509Certificate;
  /** the fingerprint kubeseal and the controller key registry use: `SHA256:` + unpadded base64 of the SSH wire key */
  fingerprint: string;
  /** SHA-256 of the DER certificate, colon hex (what `openssl x509 -fingerprint -sha256` prints) */
  certificateSha256: string;
  modulusBits: number;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  /** the PEM of the first certificate, as read */
  pem: string;
}

export interface LoadOptions {
  /** the moment to check expiry against (tests); default now */
  now?: Date;
  /** load an expired certificate anyway (for `ksec cert` to show it); sealing never sets this */
  allowExpired?: boolean;
  /** HTTP timeout for URLs, milliseconds */
  timeoutMs?: number;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/;

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** A file path, `file://` URL, http(s) URL, or PEM text. */
export async function loadCertificate(source: string, options: LoadOptions = {}): Promise<SealingCertificate> {
  if (source.includes('-----BEGIN')) return parseCertificate(source, '<pem>', options);
  if (isUrl(source)) return parseCertificate(await fetchText(source, options.timeoutMs), source, options);
  const path = source.startsWith('file://') ? fileURLToPath(source) : source;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new KsecError(fileError(err, path).message, {
      file: path,
      hint: 'pass --cert a PEM certificate file or an http(s) URL',
      cause: err,
    });
  }
  return parseCertificate(text, path, options);
}

/** Parses PEM text; `source` names it in errors. */
export function parseCertificate(text: string, source: string, options: LoadOptions = {}): SealingCertificate {
  const where = { file: source, hint: 'use the controller certificate (kubeseal --fetch-cert or ksec seal --fetch-cert)' };
  const match = PEM_CERT.exec(text);
  if (!match) throw new KsecError('not a certificate: no PEM CERTIFICATE block found', where);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(match[0]);
  } catch (cause) {
    throw new KsecError('not a certificate: the PEM CERTIFICATE block does not parse', { ...where, cause });
  }
  const publicKey = x509.publicKey;
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new KsecError(`expected an RSA public key but the certificate holds ${publicKey.asymmetricKeyType ?? 'an unknown'} key`, where);
  }
  const notAfter = new Date(x509.validTo);
  const notBefore = new Date(x509.validFrom);
  const now = options.now ?? new Date();
  if (!options.allowExpired && now.getTime() > notAfter.getTime()) {
    throw new KsecError(`failed to encrypt using an expired certificate on ${formatDay(notAfter)}`, {
      file: source,
      hint: 'fetch the current certificate from the controller (--fetch-cert) or renew the key',
    });
  }
  let fingerprint: string | undefined;
  return {
    source,
    publicKey,
    x509,
    // on first use: exporting the key to compute it costs milliseconds that sealing never needs
    get fingerprint() {
      return (fingerprint ??= publicKeyFingerprint(publicKey));
    },
    certificateSha256: x509.fingerprint256,
    modulusBits: publicKey.asymmetricKeyDetails?.modulusLength ?? 0,
    subject: x509.subject,
    notBefore,
    notAfter,
    pem: match[0] + '\n',
  };
}

/**
 * kubeseal's PublicKeyFingerprint: ssh.FingerprintSHA256(ssh.NewPublicKey(rsa)),
 * i.e. SHA-256 over the SSH wire encoding string("ssh-rsa") || mpint(e) || mpint(n).
 */
export function publicKeyFingerprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new KsecError('expected an RSA public key');
  const wire = Buffer.concat([
    sshString(Buffer.from('ssh-rsa')),
    sshString(mpint(Buffer.from(jwk.e, 'base64url'))),
    sshString(mpint(Buffer.from(jwk.n, 'base64url'))),
  ]);
  return 'SHA256:' + createHash('sha256').update(wire).digest('base64').replace(/=+$/, '');
}

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length, 0);
  return Buffer.concat([len, b]);
}

/** Unsigned big-endian integer as an SSH mpint: no leading zeros, a 0x00 pad when the top bit is set. */
function mpint(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  const trimmed = b.subarray(i);
  return trimmed.length > 0 && (trimmed[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
}

function formatDay(d: Date): string {
  return d.toLocaleDateString('en-US', { month: 'long', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
}

async function fetchText(url: string, timeoutMs = 30_000): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (cause) {
    const inner = (cause as { cause?: { code?: string; message?: string } }).cause;
    const reason = inner?.code ?? inner?.message ?? (cause as Error).message;
    throw new KsecError(`cannot fetch the certificate: ${reason}`, {
      file: url,
      hint: 'check the URL and that the controller is reachable, or pass --cert a local file',
      cause,
    });
  }
  if (res.status !== 200) {
    throw new KsecError(`cannot fetch the certificate: HTTP ${res.status}`, {
      file: url,
      hint: 'check the URL; the controller serves its certificate at /v1/cert.pem',
    });
  }
  return res.text();
}

export type { ControllerRef } from './controller-api.js';

/**
 * GET /v1/cert.pem from the controller through the API server's service proxy
 * (controller-api.ts), as kubeseal --fetch-cert. Returns the PEM text.
 */
export async function fetchControllerCertificatePem(ref: ControllerRef = {}): Promise<{ pem: string; source: string }> {
  const { openController } = await import('./controller-api.js');
  const api = await openController(ref);
  const res = await api.get('/v1/cert.pem', 'application/x-pem-file, */*');
  if (res.status !== 200) throw api.statusError(res, 'fetch the certificate');
  return { pem: res.body, source: api.source };
}

export async function fetchControllerCertificate(ref: ControllerRef = {}, options: LoadOptions = {}): Promise<SealingCertificate> {
  const { pem, source } = await fetchControllerCertificatePem(ref);
  return parseCertificate(pem, source, options);
}
