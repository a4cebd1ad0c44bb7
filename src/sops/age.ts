/**
 * The part of age (https://age-encryption.org/v1, https://c2sp.org/age) that
 * SOPS needs: X25519 and post-quantum identities and decrypting a small
 * armored age file (the SOPS data key).
 *
 * Armor: `-----BEGIN AGE ENCRYPTED FILE-----`, standard padded base64 in
 * 64-column lines, `-----END AGE ENCRYPTED FILE-----`.
 * Header: `age-encryption.org/v1\n`, then stanzas `-> TYPE ARG...\n` each
 * followed by an unpadded base64 body wrapped at 64 columns (the last line is
 * shorter than 64, maybe empty), then `--- ` + unpadded base64 HMAC-SHA256
 * over the header up to and including `---`, keyed by
 * HKDF-SHA256(file key, salt "", info "header").
 * X25519 stanza: `-> X25519 <ephemeral share>`; wrap key =
 * HKDF-SHA256(X25519(identity, share), salt share || recipient, info
 * "age-encryption.org/v1/X25519"); body = ChaCha20-Poly1305(wrap key, zero
 * nonce) of the 16-byte file key.
 * mlkem768x25519 stanza (post-quantum, age >= 1.3): `-> mlkem768x25519 <enc>`
 * over the same 32-byte body; see mlkem768x25519.ts.
 * Payload: a 16-byte nonce, then 64 KiB chunks sealed with ChaCha20-Poly1305
 * under HKDF-SHA256(file key, salt nonce, info "payload"); a chunk's nonce is
 * an 11-byte big-endian counter and a last-chunk flag byte.
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { decodeCanonicalBase64 } from '../go/base64.js';
import { bech32Decode, bech32Encode } from './bech32.js';
import { chachaOpen } from './chacha.js';
import {
  HYBRID_ENC_BYTES,
  HYBRID_PUBLIC_BYTES,
  HYBRID_SEED_BYTES,
  HYBRID_STANZA,
  HybridStanzaError,
  hybridKeyFromSeed,
  hybridUnwrap,
  postQuantumUnavailable,
  type HybridKey,
} from './mlkem768x25519.js';

const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const CHUNK_SIZE = 64 * 1024;
const TAG_SIZE = 16;

/** An X25519 identity, `AGE-SECRET-KEY-1...`. */
export interface X25519Identity {
  type: 'X25519';
  /** the matching `age1...` recipient */
  recipient: string;
  /** where the identity came from, e.g. a file path or `SOPS_AGE_KEY` (never the key itself) */
  source: string;
  privateKey: KeyObject;
}

/** A post-quantum identity, `AGE-SECRET-KEY-PQ-1...` (see mlkem768x25519.ts). */
export interface HybridIdentity {
  type: typeof HYBRID_STANZA;
  /** the matching `age1pq1...` recipient; undefined on a Node.js without ML-KEM (it cannot be computed there) */
  recipient: string | undefined;
  /** where the identity came from (never the key itself) */
  source: string;
  key: HybridKey;
}

export type AgeIdentity = X25519Identity | HybridIdentity;

/** Why an age file could not be opened; never carries key or plaintext material. */
export class AgeError extends Error {
  constructor(
    message: string,
    /** `unsupported`: a post-quantum identity met its stanza on a Node.js without ML-KEM */
    readonly reason: 'no-identity' | 'malformed' | 'header-mac' | 'payload' | 'unsupported',
  ) {
    super(message);
    this.name = 'AgeError';
  }
}

/**
 * Post-quantum age (age >= 1.3, sops >= 3.11): the hybrid ML-KEM-768 +
 * X25519 recipient type. A recipient is `age1pq1...`, bech32 of the ML-KEM
 * encapsulation key and the X25519 public key (1184 + 32 bytes); its stanza
 * is `-> mlkem768x25519 <enc>`, enc being the ML-KEM ciphertext and the
 * X25519 share (1088 + 32 bytes), over a 32-byte wrapped file key; the
 * identity is `AGE-SECRET-KEY-PQ-1...`. Decrypting needs ML-KEM, which
 * node:crypto has from Node.js 24.7.
 */
export const PQ_RECIPIENT_HRP = 'age1pq';
export const PQ_STANZA = HYBRID_STANZA;

/** The stanza type a recipient's files carry: X25519 for `age1...`, mlkem768x25519 for `age1pq1...`; undefined when it is neither. */
export function recipientStanzaType(recipient: string): string | undefined {
  const decoded = bech32Decode(recipient);
  if (decoded?.hrp === 'age' && decoded.data.length === 32) return 'X25519';
  if (decoded?.hrp === PQ_RECIPIENT_HRP && decoded.data.length === HYBRID_PUBLIC_BYTES) return PQ_STANZA;
  return undefined;
}

/**
 * A recipient for messages: an X25519 one in full; a post-quantum one
 * (about 1,950 characters) shortened to its start and end, marked
 * `(post-quantum)`.
 */
export function describeRecipient(recipient: string): string {
  if (recipientStanzaType(recipient) !== PQ_STANZA) return recipient;
  return `${recipient.slice(0, 16)}...${recipient.slice(-8)} (post-quantum)`;
}

/** An identity for messages: its recipient, or for a post-quantum one this Node.js cannot complete, where it came from. */
export function describeIdentity(identity: AgeIdentity): string {
  if (identity.recipient !== undefined) return describeRecipient(identity.recipient);
  return `a post-quantum identity from ${identity.source}`;
}

/**
 * Could `identity` be the one for `recipient`? Always for identities whose
 * recipient is known (age tries every identity on every stanza, and so does
 * ksec); a post-quantum identity on a Node.js without ML-KEM matches when
 * its X25519 half is the recipient's last 32 bytes.
 */
export function identityMayMatch(identity: AgeIdentity, recipient: string): boolean {
  if (identity.type === 'X25519' || identity.recipient !== undefined) return true;
  const decoded = bech32Decode(recipient);
  return decoded?.hrp === PQ_RECIPIENT_HRP && decoded.data.length === HYBRID_PUBLIC_BYTES && decoded.data.subarray(-32).equals(identity.key.x25519Public);
}

/**
 * Parses one `AGE-SECRET-KEY-1...` (X25519) or `AGE-SECRET-KEY-PQ-1...`
 * (post-quantum) string; undefined if it is neither.
 */
export function parseIdentity(text: string, source: string): AgeIdentity | undefined {
  const decoded = bech32Decode(text.trim());
  if (decoded?.hrp === 'age-secret-key-pq-' && decoded.data.length === HYBRID_SEED_BYTES) {
    const key = hybridKeyFromSeed(decoded.data);
    return { type: PQ_STANZA, recipient: key.publicKey && bech32Encode(PQ_RECIPIENT_HRP, key.publicKey), source, key };
  }
  if (!decoded || decoded.hrp !== 'age-secret-key-' || decoded.data.length !== 32) return undefined;
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_X25519_PREFIX, decoded.data]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { type: 'X25519', recipient: bech32Encode('age', spki.subarray(spki.length - 32)), source, privateKey };
}

export interface ParsedIdentities {
  identities: AgeIdentity[];
  /** lines that look like keys ksec cannot use (plugins, malformed), by line number */
  skipped: { line: number; reason: string }[];
}

/** Parses an age identity file (or SOPS_AGE_KEY): one key a line, `#` comments, blank lines. */
export function parseIdentities(text: string, source: string): ParsedIdentities {
  const identities: AgeIdentity[] = [];
  const skipped: { line: number; reason: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (/^AGE-PLUGIN-/i.test(line)) {
      skipped.push({ line: i + 1, reason: 'age plugin identities are not supported' });
      return;
    }
    const identity = parseIdentity(line, source);
    if (identity) identities.push(identity);
    else if (/^AGE-SECRET-KEY-PQ-/i.test(line)) skipped.push({ line: i + 1, reason: 'not a valid AGE-SECRET-KEY-PQ-1... identity' });
    else skipped.push({ line: i + 1, reason: 'not a valid AGE-SECRET-KEY-1... identity' });
  });
  return { identities, skipped };
}

interface Stanza {
  type: string;
  args: string[];
  body: Buffer;
}

interface Header {
  stanzas: Stanza[];
  /** the header bytes the MAC covers (through `---`) */
  macInput: Buffer;
  mac: Buffer;
  payload: Buffer;
}

const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const ARMOR_END = '-----END AGE ENCRYPTED FILE-----';
const ARMOR_COLUMNS = 64;
const ARMOR_LINE_BYTES = 48;
const MAX_ARMOR_WHITESPACE = 1024;
const ONLY_WHITESPACE = /^[\t\n\v\f\r ]*$/;

/**
 * The binary age file inside the armor, as age's armor reader takes it: up
 * to 1 KiB of whitespace around the file, the BEGIN line, lines of padded,
 * canonical base64 of exactly 64 columns but the last (which is shorter or
 * is followed directly by the END line), the END line; LF or CRLF line ends;
 * no empty lines, no spaces inside.
 */
export function dearmor(text: string): Buffer {
  const fail = (why: string) => new AgeError(`the data key's age armor is invalid: ${why}`, 'malformed');
  let pos = 0;
  const nextLine = (): string => {
    if (pos >= text.length) throw fail('it ends early');
    const nl = text.indexOf('\n', pos);
    let line = text.slice(pos, nl < 0 ? text.length : nl);
    pos = nl < 0 ? text.length : nl + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    return line;
  };
  const parts: Buffer[] = [];
  const end = (): Buffer => {
    const rest = text.slice(pos);
    if (!ONLY_WHITESPACE.test(rest)) throw fail('data follows the END line');
    if (rest.length >= MAX_ARMOR_WHITESPACE) throw fail('too much whitespace follows the END line');
    return Buffer.concat(parts);
  };
  let line = nextLine();
  while (ONLY_WHITESPACE.test(line)) {
    if (pos > MAX_ARMOR_WHITESPACE) throw fail('too much whitespace before the BEGIN line');
    line = nextLine();
  }
  if (line !== ARMOR_BEGIN) throw fail('it does not start with the BEGIN line');
  for (;;) {
    line = nextLine();
    if (line === ARMOR_END) return end();
    if (line === '') throw fail('it has an empty line');
    if (line.length > ARMOR_COLUMNS) throw fail('a line is longer than 64 columns');
    const bytes = decodeCanonicalBase64(line, true);
    if (!bytes) throw fail('a line is not canonical base64');
    parts.push(bytes);
    if (bytes.length < ARMOR_LINE_BYTES) {
      if (nextLine() !== ARMOR_END) throw fail('a short line is not followed by the END line');
      return end();
    }
  }
}

/** age's header base64: unpadded, canonical. */
function rawBase64(text: string): Buffer {
  const bytes = decodeCanonicalBase64(text, false);
  if (!bytes) throw new AgeError('the age header has invalid base64', 'malformed');
  return bytes;
}

/** A stanza argument: one or more printable ASCII characters, no space. */
const ARGUMENT = /^[\x21-\x7e]+$/;
const BODY_LINE_BYTES = 48;
const MAC_BYTES = 32;
const NONCE_BYTES = 16;

/**
 * Parses the header as age does: the intro line, stanzas (`-> ` and
 * arguments, then body lines of 48 bytes ending with a shorter one), the
 * `--- ` line with a 32-byte MAC. Any deviation is AgeError('malformed').
 */
function parseHeader(file: Buffer): Header {
  let pos = 0;
  const malformed = (what: string) => new AgeError(`the age header ${what}`, 'malformed');
  const nextLine = (): string => {
    const nl = file.indexOf(0x0a, pos);
    if (nl < 0) throw malformed('is truncated');
    const line = file.subarray(pos, nl).toString('latin1');
    pos = nl + 1;
    return line;
  };
  if (nextLine() !== 'age-encryption.org/v1') throw new AgeError('the data key is not an age v1 file', 'malformed');
  const stanzas: Stanza[] = [];
  for (;;) {
    const lineStart = pos;
    const line = nextLine();
    const [prefix, ...args] = line.split(' ');
    if (line.startsWith('---')) {
      if (prefix !== '---' || args.length !== 1) throw malformed('has an invalid MAC line');
      const mac = rawBase64(args[0]!);
      if (mac.length !== MAC_BYTES) throw malformed('has an invalid MAC line');
      if (file.length - pos < NONCE_BYTES) throw malformed('is not followed by a payload nonce');
      return { stanzas, macInput: file.subarray(0, lineStart + 3), mac, payload: file.subarray(pos) };
    }
    if (prefix !== '->' || args.length === 0 || !args.every((a) => ARGUMENT.test(a))) throw malformed('has an invalid line');
    const parts: Buffer[] = [];
    for (;;) {
      const body = rawBase64(nextLine());
      if (body.length > BODY_LINE_BYTES) throw malformed('has a stanza body line longer than 64 columns');
      parts.push(body);
      if (body.length < BODY_LINE_BYTES) break;
    }
    stanzas.push({ type: args[0]!, args: args.slice(1), body: Buffer.concat(parts) });
  }
}

/**
 * Why the armored age file holding a sops data key is damaged, or undefined
 * when it is well-formed: it dearmors, its header parses, it has a stanza of
 * the type `stanzaType` whose share and body have their sizes (X25519: a
 * 32-byte share, a 32-byte wrapped file key), and its payload is exactly
 * one sealed 32-byte data key (or a 33-byte Shamir share of one). Keyless:
 * nothing is decrypted.
 */
export function ageFileProblem(armored: string, stanzaType: string): string | undefined {
  let header: Header;
  try {
    header = parseHeader(dearmor(armored));
  } catch (err) {
    if (err instanceof AgeError) return err.message;
    throw err;
  }
  const stanzas = header.stanzas.filter((s) => s.type === stanzaType);
  if (stanzas.length === 0) return `the age header has no ${stanzaType} stanza for its recipient`;
  for (const stanza of stanzas) {
    const shareBytes = stanzaType === 'X25519' ? 32 : stanzaType === PQ_STANZA ? HYBRID_ENC_BYTES : undefined;
    if (shareBytes !== undefined) {
      if (stanza.args.length !== 1) return `the age header has an invalid ${stanzaType} stanza (arguments)`;
      const share = decodeCanonicalBase64(stanza.args[0]!, false);
      if (!share || share.length !== shareBytes) return `the age header has an invalid ${stanzaType} stanza (share)`;
    }
    if (stanza.body.length !== 32) return `the age header has an invalid ${stanzaType} stanza (wrapped key of ${stanza.body.length} bytes, not 32)`;
  }
  // a 16-byte nonce, then the 32-byte data key (33: a Shamir share of it) sealed in one chunk (+16-byte tag)
  const sealed = header.payload.length - NONCE_BYTES - TAG_SIZE;
  if (sealed !== 32 && sealed !== 33) return `the age payload is ${header.payload.length} bytes, not the ${NONCE_BYTES + 32 + TAG_SIZE} of a sealed data key`;
  return undefined;
}

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));
}

/**
 * The file key from an X25519 stanza, or undefined when the stanza is of
 * another type or for another identity. A malformed X25519 stanza (argument
 * count, share or body size, a share giving the all-zero secret) is an
 * error, as in age.
 */
function unwrapX25519(stanza: Stanza, identity: X25519Identity): Buffer | undefined {
  if (stanza.type !== 'X25519') return undefined;
  const invalid = () => new AgeError('the age header has an invalid X25519 stanza', 'malformed');
  if (stanza.args.length !== 1) throw invalid();
  const share = rawBase64(stanza.args[0]!);
  if (share.length !== 32) throw invalid();
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_X25519_PREFIX, share]), format: 'der', type: 'spki' });
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: identity.privateKey, publicKey });
  } catch {
    throw invalid(); // low-order point: all-zero shared secret
  }
  if (shared.every((b) => b === 0)) throw invalid();
  if (stanza.body.length !== 32) throw invalid();
  const ownPublic = bech32Decode(identity.recipient)!.data;
  const wrapKey = hkdf(shared, Buffer.concat([share, ownPublic]), 'age-encryption.org/v1/X25519');
  return chachaOpen(wrapKey, Buffer.alloc(12), stanza.body);
}

/**
 * The file key from an mlkem768x25519 stanza, or undefined when the stanza
 * is of another type or for another identity. As in age: exactly one
 * argument (the canonical base64 of a 1120-byte enc) and a 32-byte body, or
 * the header is malformed; a low-order X25519 share is malformed too. On a
 * Node.js without ML-KEM, AgeError('unsupported').
 */
function unwrapHybrid(stanza: Stanza, identity: HybridIdentity): Buffer | undefined {
  if (stanza.type !== HYBRID_STANZA) return undefined;
  const invalid = (why: string) => new AgeError(`the age header has an invalid ${HYBRID_STANZA} stanza (${why})`, 'malformed');
  if (stanza.args.length !== 1) throw invalid('arguments');
  const enc = rawBase64(stanza.args[0]!);
  if (enc.length !== HYBRID_ENC_BYTES) throw invalid('share');
  if (stanza.body.length !== 32) throw invalid('wrapped key');
  const unavailable = postQuantumUnavailable();
  if (unavailable !== undefined) throw new AgeError(unavailable, 'unsupported');
  try {
    return hybridUnwrap(identity.key, enc, stanza.body);
  } catch (err) {
    if (err instanceof HybridStanzaError) throw invalid(err.message);
    throw err;
  }
}

function unwrap(stanza: Stanza, identity: AgeIdentity): Buffer | undefined {
  return identity.type === 'X25519' ? unwrapX25519(stanza, identity) : unwrapHybrid(stanza, identity);
}

/**
 * Decrypts an armored age file with the first identity that unwraps its file
 * key. Throws AgeError('no-identity') when none does.
 */
export function ageDecrypt(armored: string, identities: readonly AgeIdentity[]): Buffer {
  return ageDecryptBinary(dearmor(armored), identities);
}

/** Decrypts a binary (not armored) age file; the errors of ageDecrypt. */
export function ageDecryptBinary(file: Buffer, identities: readonly AgeIdentity[]): Buffer {
  const header = parseHeader(file);
  let fileKey: Buffer | undefined;
  outer: for (const identity of identities) {
    for (const stanza of header.stanzas) {
      fileKey = unwrap(stanza, identity);
      if (fileKey) break outer;
    }
  }
  if (!fileKey) throw new AgeError('no identity matches the age file', 'no-identity');
  const expected = createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(header.macInput).digest();
  if (header.mac.length !== expected.length || !timingSafeEqual(header.mac, expected)) {
    throw new AgeError('the age header MAC does not match: the recipient block was modified', 'header-mac');
  }
  return decryptPayload(fileKey, header.payload);
}

function decryptPayload(fileKey: Buffer, payload: Buffer): Buffer {
  if (payload.length < NONCE_BYTES + TAG_SIZE) throw new AgeError('the age payload is truncated', 'payload');
  const key = hkdf(fileKey, payload.subarray(0, NONCE_BYTES), 'payload');
  const body = payload.subarray(NONCE_BYTES);
  const out: Buffer[] = [];
  const nonce = Buffer.alloc(12);
  for (let offset = 0, counter = 0; offset < body.length; counter++) {
    const end = Math.min(offset + CHUNK_SIZE + TAG_SIZE, body.length);
    const last = end === body.length;
    nonce.writeUIntBE(counter, 5, 6);
    nonce[11] = last ? 1 : 0;
    const chunk = chachaOpen(key, nonce, body.subarray(offset, end));
    if (!chunk || (last && chunk.length === 0 && counter > 0)) {
      throw new AgeError('the age payload failed authentication: the data key was modified', 'payload');
    }
    out.push(chunk);
    offset = end;
  }
  return Buffer.concat(out);
}
