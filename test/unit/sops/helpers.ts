import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseIdentities } from '../../../src/sops/age.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/sops/', import.meta.url));
/** SOPS files made by others (see test/fixtures/sops/README.md), with their test-only key */
export const REFERENCE = fileURLToPath(new URL('../../fixtures/sops/reference/', import.meta.url));
export const fixture = (name: string) => readFileSync(FIXTURES + name, 'utf8');
export const demoKey = (n: 1 | 2) => parseIdentities(fixture(`demo-age-key-${n}.txt`), `demo-age-key-${n}.txt`).identities;
/** Plaintext planted in the fixtures; must never show up in errors, warnings or status output. */
export const CANARY = 'KSEC-CANARY';
