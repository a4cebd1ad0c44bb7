/**
 * Offline checks of a SealedSecret, without the controller: the checks of
 * validate-structure.ts (shape, scope annotations, each value's format) and,
 * with private keys, whether every value opens with one of them for the
 * label the controller will use (see unseal.ts), or why not.
 *
 * Problems name the key and never carry a value.
 */
import { KsecError } from '../errors.js';
import type { SealedSecret } from '../manifest/objects.js';
import { KeyRing, unsealTarget, type UnsealTarget } from './unseal.js';
import { checkStructure, type ValidateOptions, type ValidationProblem } from './validate-structure.js';

export type { ValidateOptions, ValidationProblem } from './validate-structure.js';

export function validateSealedSecret(obj: unknown, options: ValidateOptions = {}): ValidationProblem[] {
  const { problems, sealed, intact } = checkStructure(obj, options);
  if (sealed && options.privateKeys && options.privateKeys.length > 0 && intact.length > 0) {
    problems.push(...decryptProblems(sealed, intact, new KeyRing(options.privateKeys), options.namespace));
  }
  return problems;
}

function decryptProblems(ss: SealedSecret, values: [string, string][], ring: KeyRing, namespace?: string): ValidationProblem[] {
  let target: UnsealTarget;
  try {
    target = unsealTarget(ss, namespace);
  } catch (err) {
    if (err instanceof KsecError) return [{ code: 'no-unseal-target', message: `cannot check decryption: ${err.message}` }];
    throw err;
  }
  const problems: ValidationProblem[] = [];
  for (const [key, binary] of values) {
    const bytes = Buffer.from(binary, 'latin1');
    try {
      const plain = ring.tryDecrypt(bytes, target.label);
      if (plain) {
        plain.fill(0);
        continue;
      }
      problems.push({ key, code: 'decrypt-failed', message: ring.explainFailure(bytes, target, ss).message });
    } catch (err) {
      if (!(err instanceof KsecError)) throw err;
      problems.push({ key, code: 'tampered', message: err.message });
    }
  }
  return problems;
}
