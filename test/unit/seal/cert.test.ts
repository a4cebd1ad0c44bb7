import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KsecError } from '../../../src/errors.js';
import { loadCertificate, parseCertificate, publicKeyFingerprint } from '../../../src/seal/cert.js';

const DEMO_CERT = new URL('../../../examples/keys/demo-sealed-secrets.crt', import.meta.url);
const EC_CERT = new URL('./fixtures/ec-p256.crt', import.meta.url);

function selfSigned(notBefore: Date, notAfter: Date): string {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: 'test' }]);
  cert.setIssuer([{ name: 'commonName', value: 'test' }]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

async function rejects(p: Promise<unknown>): Promise<KsecError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(KsecError);
    return err as KsecError;
  }
  throw new Error('expected a KsecError');
}

describe('loadCertificate', () => {
  it('loads the demo RSA-4096 certificate from a file, with its comment header', async () => {
    const cert = await loadCertificate(DEMO_CERT.pathname);
    expect(cert.modulusBits).toBe(4096);
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
    expect(cert.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(cert.certificateSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(cert.notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(cert.pem.startsWith('-----BEGIN CERTIFICATE-----')).toBe(true);
    expect(cert.source).toBe(DEMO_CERT.pathname);
  });

  it('loads PEM text and file:// URLs', async () => {
    const text = readFileSync(DEMO_CERT, 'utf8');
    const a = await loadCertificate(text);
    const b = await loadCertificate(DEMO_CERT.href);
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  it('rejects a missing file, garbage, a non-RSA key and an expired certificate with exit 2', async () => {
    const missing = await rejects(loadCertificate('/nonexistent/cert.pem'));
    expect(missing.exitCode).toBe(2);
    expect(missing.file).toBe('/nonexistent/cert.pem');
    expect((await rejects(loadCertificate('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----'))).message).toMatch(/does not parse/);
    expect(() => parseCertificate('hello', 'x.pem')).toThrow(/no PEM CERTIFICATE block/);
    const ec = await rejects(loadCertificate(EC_CERT.pathname));
    expect(ec.message).toMatch(/expected an RSA public key but the certificate holds ec key/);
    const expired = selfSigned(new Date('2020-01-01T00:00:00Z'), new Date('2021-03-04T00:00:00Z'));
    const err = (() => {
      try {
        parseCertificate(expired, 'old.pem');
      } catch (e) {
        return e as KsecError;
      }
      throw new Error('expected expiry error');
    })();
    expect(err.message).toBe('failed to encrypt using an expired certificate on March 4, 2021');
    expect(err.exitCode).toBe(2);
    // shown (not for sealing) when allowed
    expect(parseCertificate(expired, 'old.pem', { allowExpired: true }).notAfter.toISOString()).toBe('2021-03-04T00:00:00.000Z');
    // expiry is judged against the given clock
    expect(() => parseCertificate(expired, 'old.pem', { now: new Date('2020-06-01T00:00:00Z') })).not.toThrow();
  });
});

describe('publicKeyFingerprint', () => {
  it('matches the SSH SHA256 fingerprint of the same key (kubeseal uses ssh.FingerprintSHA256)', () => {
    // Known answer from OpenSSH for this 2048-bit key: `ssh-keygen -lf` of the ssh-rsa form.
    const pem = readFileSync(new URL('./fixtures/fingerprint-pub.pem', import.meta.url), 'utf8');
    const expected = readFileSync(new URL('./fixtures/fingerprint-pub.sha256', import.meta.url), 'utf8').trim();
    expect(publicKeyFingerprint(createPublicKey(pem))).toBe(expected);
  });
});

describe('loadCertificate over http', () => {
  let server: Server;
  let base: string;
  const pem = readFileSync(DEMO_CERT, 'utf8');
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/v1/cert.pem') {
        res.writeHead(200, { 'content-type': 'application/x-pem-file' });
        res.end(pem);
      } else {
        res.writeHead(404);
        res.end('no');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches a certificate from a URL', async () => {
    const cert = await loadCertificate(`${base}/v1/cert.pem`);
    expect(cert.modulusBits).toBe(4096);
    expect(cert.source).toBe(`${base}/v1/cert.pem`);
  });
  it('reports HTTP errors and unreachable hosts with exit 2 and the URL', async () => {
    const notFound = await rejects(loadCertificate(`${base}/nope`));
    expect(notFound.message).toMatch(/HTTP 404/);
    expect(notFound.exitCode).toBe(2);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/v1/cert.pem`;
    await new Promise<void>((r) => closed.close(() => r()));
    const unreachable = await rejects(loadCertificate(url));
    expect(unreachable.message).toMatch(/cannot fetch the certificate: ECONNREFUSED/);
    expect(unreachable.file).toBe(url);
    expect(unreachable.exitCode).toBe(2);
  });
});
