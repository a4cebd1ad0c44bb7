/**
 * Values that are not secrets: empty, a template expression (`{{ ... }}`,
 * Helm/Go templates) or an environment reference (`${VAR}`), filled in at
 * deploy time. A value that mixes literal text with a template expression
 * (`postgres://app:${DB_PASSWORD}@db`) is templated too; a real credential
 * in it is still caught by the credential rules.
 */

const TEMPLATE = /\{\{.*?\}\}|\$\{[A-Za-z_][A-Za-z0-9_.:-]*\}/s;

export function isPlaceholder(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value !== 'string') return false;
  const text = value.trim();
  return text === '' || TEMPLATE.test(text);
}

/** Secret `data` holds base64: a placeholder encoded as base64 is still a placeholder. */
export function isPlaceholderData(value: unknown): boolean {
  if (isPlaceholder(value)) return true;
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/=\s]+$/.test(value)) return false;
  return isPlaceholder(Buffer.from(value, 'base64').toString('utf8'));
}

/** Keys whose values are secret by name: passwords, tokens, keys. */
export const SENSITIVE_KEY = /pass(word|wd)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential|authorization|bearer/i;
