/**
 * Private keys and well-known credential formats, found in the raw text of
 * any file (ConfigMaps, env literals, Helm values, .env files). Each pattern
 * is bounded by characters its token cannot contain, so a match can never sit
 * inside a longer base64 run: SealedSecret ciphertext does not trip them.
 * Each rule is tried only when its literal keyword occurs in the text.
 */
import type { RuleInfo } from '../types.js';
import { searchIn, type Has, type TextHit, type TextRules } from './types.js';

interface Pattern {
  rule: RuleInfo;
  /**
   * strings one of which every match contains: the regex runs only when one
   * occurs. Each is one indexOf over the whole text, so they are few, and
   * start with a character manifests seldom hold.
   */
  keywords: string[];
  regex: RegExp;
  /** false positives that look right (documentation keys) */
  reject?: (match: string) => boolean;
}

function rule(id: string, name: string, severity: RuleInfo['severity'], fix: string): RuleInfo {
  return { id, family: 'credentials', severity, name, description: `${name} committed in plaintext; ${fix}` };
}

const ROTATE = 'revoke and rotate it, then load it from a Secret manager (ExternalSecret) or seal it.';

export const privateKey = rule('private-key', 'Private key', 'critical', 'remove it from Git, rotate it, and keep it in a SealedSecret, SOPS file or secret manager.');

const PATTERNS: Pattern[] = [
  {
    rule: rule('aws-access-key', 'AWS access key ID', 'critical', ROTATE),
    keywords: ['AKIA', 'ASIA', 'ABIA', 'ACCA'],
    regex: /(?<![A-Za-z0-9+/])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9+/])/g,
    reject: (m) => m.endsWith('EXAMPLE'),
  },
  {
    rule: rule('aws-secret-key', 'AWS secret access key', 'critical', ROTATE),
    keywords: ['_access_key', 'AccessKey', '_ACCESS_KEY'],
    regex: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])/gi,
    reject: (m) => /EXAMPLEKEY$/.test(m),
  },
  {
    rule: rule('github-token', 'GitHub token', 'critical', ROTATE),
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    regex: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/g,
  },
  {
    rule: rule('gitlab-token', 'GitLab token', 'critical', ROTATE),
    keywords: ['glpat-'],
    regex: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])/g,
  },
  {
    rule: rule('slack-token', 'Slack token', 'critical', ROTATE),
    keywords: ['xox'],
    regex: /(?<![A-Za-z0-9_-])xox[abpors]-(?:\d+-)+[A-Za-z0-9-]{10,}(?![A-Za-z0-9_-])/g,
  },
  {
    rule: rule('slack-webhook', 'Slack webhook URL', 'high', ROTATE),
    keywords: ['hooks.slack.com'],
    regex: /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9+/]{20,}/g,
  },
  {
    rule: rule('google-api-key', 'Google API key', 'high', ROTATE),
    keywords: ['AIza'],
    regex: /(?<![A-Za-z0-9_+/-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_+/=-])/g,
  },
  {
    rule: rule('stripe-key', 'Stripe live key', 'critical', ROTATE),
    keywords: ['_live_'],
    regex: /(?<![A-Za-z0-9_])(?:sk|rk)_live_[0-9A-Za-z]{24,99}(?![A-Za-z0-9_])/g,
  },
  {
    rule: rule('npm-token', 'npm access token', 'high', ROTATE),
    keywords: ['npm_'],
    regex: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g,
  },
  {
    rule: rule('sendgrid-key', 'SendGrid API key', 'high', ROTATE),
    keywords: ['SG.'],
    regex: /(?<![A-Za-z0-9_.-])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g,
  },
];

export const ageSecretKey = rule('age-secret-key', 'age private key', 'critical', 'remove it from Git, re-encrypt every SOPS file to a new recipient (sops updatekeys) and keep the key out of the repository.');

/**
 * An age identity as age-keygen writes it: `AGE-SECRET-KEY-1` (X25519) or
 * `AGE-SECRET-KEY-PQ-1` (ML-KEM-768 + X25519) and bech32 data, in upper
 * case (bech32 is all one case); at least 58 characters, a 32-byte key and
 * its checksum, bounded by characters bech32 cannot hold (or a `\n` escape,
 * inside a JSON string). A documentation
 * stub (`AGE-SECRET-KEY-1...`) is too short.
 */
const AGE_KEY = /(?:(?<![A-Za-z0-9-])|(?<=\\[nrt]))(?:AGE-SECRET-KEY-(?:PQ-)?1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58,}|age-secret-key-(?:pq-)?1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58,})(?![A-Za-z0-9])/g;
const AGE_KEYWORDS = ['AGE-SECRET-KEY-', 'age-secret-key-'];

const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]*?)PRIVATE KEY( BLOCK)?-----/g;
/** a base64 value that starts with `-----BEGIN` */
const B64_PEM = /(?<![A-Za-z0-9+/])LS0tLS1CRUdJTi[A-Za-z0-9+/]{20,}/g;

const PEM_KEYWORD = 'PRIVATE KEY';
const B64_PEM_KEYWORD = 'LS0tLS1CRUdJTi';

function findPrivateKeys(text: string, has: Has, hits: TextHit[]): void {
  if (AGE_KEYWORDS.some(has)) {
    for (const m of text.matchAll(AGE_KEY)) {
      const pq = /^age-secret-key-pq-/i.test(m[0]);
      hits.push({ rule: ageSecretKey, offset: m.index, message: `age ${pq ? 'post-quantum (ML-KEM-768 + X25519)' : 'X25519'} private key in plaintext; remove it, rotate it and re-encrypt the SOPS files it opens` });
    }
  }
  if (has(PEM_KEYWORD)) {
    for (const m of text.matchAll(PEM_BEGIN)) {
      const bodyStart = m.index + m[0].length;
      const end = text.indexOf('-----END', bodyStart);
      const body = text.slice(bodyStart, end === -1 ? bodyStart + 4096 : Math.min(end, bodyStart + 65536));
      // A real key has a body; `-----BEGIN PRIVATE KEY-----\n...` in docs does not.
      const base64 = body.replace(/\\[nr]|[^A-Za-z0-9+/=]|^[A-Za-z-]+:.*$/gm, '');
      if (base64.length < 64) continue;
      hits.push({ rule: privateKey, offset: m.index, message: `${(m[1] ?? '').trim() || 'PKCS#8'} private key in plaintext; remove it and rotate the key` });
    }
  }
  if (has(B64_PEM_KEYWORD)) {
    for (const m of text.matchAll(B64_PEM)) {
      const decoded = Buffer.from(m[0].slice(0, 80), 'base64').toString('latin1');
      if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY/.test(decoded)) {
        hits.push({ rule: privateKey, offset: m.index, message: 'base64-encoded private key in plaintext; remove it and rotate the key' });
      }
    }
  }
}

export const credentialRules: TextRules = {
  family: 'credentials',
  rules: [privateKey, ageSecretKey, ...PATTERNS.map((p) => p.rule)],
  keywords: [PEM_KEYWORD, B64_PEM_KEYWORD, ...AGE_KEYWORDS, ...PATTERNS.flatMap((p) => p.keywords)],
  check(text: string, has = searchIn(text)): TextHit[] {
    const hits: TextHit[] = [];
    findPrivateKeys(text, has, hits);
    for (const pattern of PATTERNS) {
      if (!pattern.keywords.some(has)) continue;
      for (const m of text.matchAll(pattern.regex)) {
        if (pattern.reject?.(m[0])) continue;
        hits.push({ rule: pattern.rule, offset: m.index, message: `${pattern.rule.name} in plaintext; ${ROTATE}` });
      }
    }
    return hits;
  },
};
