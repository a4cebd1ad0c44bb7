/**
 * The floor under a one-key seal, for bench/startup/startup.ts: an ES module that loads node:crypto,
 * reads the certificate and the Secret, makes one RSA-OAEP + AES-GCM ciphertext and writes it. No
 * CLI, no YAML, no checks: what any sealing tool written for Node pays before its own code.
 */
import { X509Certificate, constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto';
import { readFileSync, writeSync } from 'node:fs';

const [certFile, secretFile] = process.argv.slice(2);
const cert = new X509Certificate(readFileSync(certFile));
const plaintext = readFileSync(secretFile);
const sessionKey = randomBytes(32);
const rsa = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from('demo/app-secret') }, sessionKey);
const aes = createCipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
const sealed = Buffer.concat([rsa, aes.update(plaintext), aes.final(), aes.getAuthTag()]);
writeSync(1, `${sealed.toString('base64')}\n`);
