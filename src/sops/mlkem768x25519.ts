/**
 * age's post-quantum recipient type (age >= 1.3, https://c2sp.org/age),
 * built from node:crypto primitives: HPKE (RFC 9180) in base mode with the
 * hybrid KEM MLKEM768-X25519 (a.k.a. X-Wing, HPKE KEM id 0x647a, from
 * draft-ietf-hpke-pq), KDF HKDF-SHA256 (0x0001), AEAD ChaCha20-Poly1305
 * (0x0003), info `age-encryption.org/mlkem768x25519`, empty aad, one Open
 * (sequence number 0).
 *
 * Keys: the identity `AGE-SECRET-KEY-PQ-1...` is bech32 of a 32-byte seed.
 * SHAKE256(seed) gives 96 bytes: the first 64 are the ML-KEM-768 seed
 * (d || z, FIPS 203), the next 32 the X25519 private key. The recipient
 * `age1pq1...` is bech32 of the ML-KEM encapsulation key (1184 bytes) and the
 * X25519 public key (32 bytes).
 *
 * Decapsulation of enc = ML-KEM ciphertext (1088 bytes) || X25519 share (32):
 *   ss = SHA3-256(ssMLKEM || ssX25519 || share || own X25519 public || "\.//^\")
 * (an all-zero X25519 secret, i.e. a low-order share, is an error), then the
 * HPKE key schedule, with LabeledExtract(salt, label, ikm) =
 * HKDF-Extract(salt, "HPKE-v1" || suite || label || ikm) and
 * LabeledExpand(prk, label, info, L) = HKDF-Expand(prk, I2OSP(L, 2) ||
 * "HPKE-v1" || suite || label || info, L), suite = "HPKE" || 0x647a ||
 * 0x0001 || 0x0003:
 *   context = 0x00 || LabeledExtract("", "psk_id_hash", "") || LabeledExtract("", "info_hash", info)
 *   secret  = LabeledExtract(ss, "secret", "")
 *   key     = LabeledExpand(secret, "key", context, 32)
 *   nonce   = LabeledExpand(secret, "base_nonce", context, 12)
 * and the stanza body (the 16-byte file key and its 16-byte tag) opens with
 * ChaCha20-Poly1305(key, nonce). ML-KEM rejects implicitly: another identity
 * gives a random secret, so a mismatch shows only as a failed Open.
 *
 * ML-KEM-768 is in node:crypto from Node.js 24.7 (`crypto.decapsulate`, keys
 * of type `ml-kem-768`); on older Node.js the X25519 half of an identity is
 * still derived (it names the recipient it belongs to), the rest is refused
 * with {@link postQuantumUnavailable}.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { chachaOpen } from './chacha.js';

export const HYBRID_STANZA = 'mlkem768x25519';
export const HYBRID_LABEL = 'age-encryption.org/mlkem768x25519';
export const MLKEM_PUBLIC_BYTES = 1184;
export const MLKEM_CIPHERTEXT_BYTES = 1088;
export const X25519_BYTES = 32;
export const HYBRID_PUBLIC_BYTES = MLKEM_PUBLIC_BYTES + X25519_BYTES;
export const HYBRID_ENC_BYTES = MLKEM_CIPHERTEXT_BYTES + X25519_BYTES;
export const HYBRID_SEED_BYTES = 32;

/** the X-Wing combiner's label: the six bytes `\./` `/^\` */
const XWING_LABEL = Buffer.from('\\.//^\\', 'latin1');
const SUITE_ID = Buffer.from('HPKE\x64\x7a\x00\x01\x00\x03', 'latin1');
const HPKE_V1 = Buffer.from('HPKE-v1', 'latin1');
/** PKCS#8 of an ML-KEM-768 private key in its seed form (id-alg-ml-kem-768, `[0] IMPLICIT OCTET STRING (64)`) */
const PKCS8_MLKEM768_SEED_PREFIX = Buffer.from('3054020100300b060960864801650304040204428040', 'hex');
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

type Decapsulate = (key: KeyObject, ciphertext: Uint8Array) => Buffer;
/** node:crypto's ML-KEM entry point (Node.js >= 24.7); @types/node of older lines do not declare it */
const decapsulate = (nodeCrypto as unknown as { decapsulate?: Decapsulate }).decapsulate;

/** The one-line refusal on a Node.js without ML-KEM, or undefined when this Node.js has it. */
export function postQuantumUnavailable(version: string = process.version): string | undefined {
  if (typeof decapsulate === 'function') return undefined;
  return `post-quantum age identities need Node.js >= 24.7; this is ${version}`;
}

/** The key material of one `AGE-SECRET-KEY-PQ-1...` identity. */
export interface HybridKey {
  x25519: KeyObject;
  /** the X25519 public key: the last 32 bytes of the recipient */
  x25519Public: Buffer;
  /** undefined when this Node.js has no ML-KEM */
  mlkem: KeyObject | undefined;
  /** the 1216-byte recipient key (ML-KEM encapsulation key || X25519 public); undefined without ML-KEM */
  publicKey: Buffer | undefined;
}

/** Expands a 32-byte identity seed into its ML-KEM-768 and X25519 keys. */
export function hybridKeyFromSeed(seed: Uint8Array): HybridKey {
  if (seed.length !== HYBRID_SEED_BYTES) throw new RangeError('a post-quantum age identity is a 32-byte seed');
  const expanded = createHash('shake256', { outputLength: 64 + X25519_BYTES }).update(seed).digest();
  const x25519 = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, expanded.subarray(64)]), format: 'der', type: 'pkcs8' });
  const x25519Spki = createPublicKey(x25519).export({ format: 'der', type: 'spki' });
  const x25519Public = Buffer.from(x25519Spki.subarray(x25519Spki.length - X25519_BYTES));
  if (postQuantumUnavailable() !== undefined) return { x25519, x25519Public, mlkem: undefined, publicKey: undefined };
  const mlkem = createPrivateKey({ key: Buffer.concat([PKCS8_MLKEM768_SEED_PREFIX, expanded.subarray(0, 64)]), format: 'der', type: 'pkcs8' });
  const mlkemSpki = createPublicKey(mlkem).export({ format: 'der', type: 'spki' });
  const publicKey = Buffer.concat([mlkemSpki.subarray(mlkemSpki.length - MLKEM_PUBLIC_BYTES), x25519Public]);
  return { x25519, x25519Public, mlkem, publicKey };
}

/** Why a stanza cannot be opened at all (as age's header failures); thrown by {@link hybridUnwrap}. */
export class HybridStanzaError extends Error {}

/**
 * HPKE-opens a 32-byte stanza body (sealed 16-byte file key) under `enc`
 * with `key`: the file key, or undefined when the body does not open (another
 * identity, or a tampered stanza; indistinguishable by design). Throws
 * HybridStanzaError for an enc of the wrong size or a low-order X25519 share,
 * and the refusal of {@link postQuantumUnavailable} as HybridStanzaError too
 * when this Node.js has no ML-KEM.
 */
export function hybridUnwrap(key: HybridKey, enc: Buffer, body: Buffer): Buffer | undefined {
  if (enc.length !== HYBRID_ENC_BYTES) throw new HybridStanzaError(`the ${HYBRID_STANZA} share is ${enc.length} bytes, not ${HYBRID_ENC_BYTES}`);
  const unavailable = postQuantumUnavailable();
  if (unavailable !== undefined || !key.mlkem || !decapsulate) throw new HybridStanzaError(unavailable ?? 'ML-KEM is not available');
  const share = enc.subarray(MLKEM_CIPHERTEXT_BYTES);
  const ssMlkem = decapsulate(key.mlkem, enc.subarray(0, MLKEM_CIPHERTEXT_BYTES));
  let ssX25519: Buffer;
  try {
    const peer = createPublicKey({ key: Buffer.concat([SPKI_X25519_PREFIX, share]), format: 'der', type: 'spki' });
    ssX25519 = diffieHellman({ privateKey: key.x25519, publicKey: peer });
  } catch {
    throw new HybridStanzaError(`the ${HYBRID_STANZA} X25519 share is a low-order point`);
  }
  if (ssX25519.every((b) => b === 0)) throw new HybridStanzaError(`the ${HYBRID_STANZA} X25519 share is a low-order point`);
  const shared = createHash('sha3-256').update(ssMlkem).update(ssX25519).update(share).update(key.x25519Public).update(XWING_LABEL).digest();
  const empty = Buffer.alloc(0);
  const context = Buffer.concat([
    Buffer.of(0), // mode_base
    labeledExtract(empty, 'psk_id_hash', empty),
    labeledExtract(empty, 'info_hash', Buffer.from(HYBRID_LABEL, 'latin1')),
  ]);
  const secret = labeledExtract(shared, 'secret', empty);
  const aeadKey = labeledExpand(secret, 'key', context, 32);
  const nonce = labeledExpand(secret, 'base_nonce', context, 12); // XOR sequence number 0
  return chachaOpen(aeadKey, nonce, body);
}

/** HKDF-Extract(salt, "HPKE-v1" || suite || label || ikm) with SHA-256: HMAC keyed by the salt (an empty salt is zeros). */
function labeledExtract(salt: Buffer, label: string, ikm: Buffer): Buffer {
  return createHmac('sha256', salt).update(HPKE_V1).update(SUITE_ID).update(label, 'latin1').update(ikm).digest();
}

/** HKDF-Expand(prk, I2OSP(length, 2) || "HPKE-v1" || suite || label || info, length) with SHA-256, length <= 32 (one block). */
function labeledExpand(prk: Buffer, label: string, info: Buffer, length: number): Buffer {
  const lengthPrefix = Buffer.alloc(2);
  lengthPrefix.writeUInt16BE(length);
  const block = createHmac('sha256', prk).update(lengthPrefix).update(HPKE_V1).update(SUITE_ID).update(label, 'latin1').update(info).update(Buffer.of(1)).digest();
  return block.subarray(0, length);
}
