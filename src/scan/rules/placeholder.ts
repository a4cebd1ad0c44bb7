/**
 * Values that are not secrets: empty, a template expression (`{{ ... }}`,
 * Helm/Go templates) or an environment reference (`${VAR}`), filled in at
 * deploy time. A value that mixes literal text with a template expression
 * (`postgres://app:${DB_PASSWORD}@db`) is templated too; a real credential
 * in it is still caught by the credential rules.
 */
import { templateExpression } from '../../manifest/objects.js';

/**
 * `{{ ... }}`, or `${VAR}` with any of the operators of Flux's post-build
 * substitution (envsubst): defaults `${VAR:=x}`, `${VAR:-/path}`, `${VAR-x}`,
 * alternatives `${VAR:+x}`, errors `${VAR:?msg}`, substrings `${VAR:1:2}`,
 * replacements `${VAR/a/b}`, `${VAR//a/b}`, trims `${VAR#x}`, `${VAR%x}`,
 * case `${VAR^^}`, length `${#VAR}`
 */
const TEMPLATE = /\{\{.*?\}\}|\$\{#?[A-Za-z_][A-Za-z0-9_.]*(?:(?::?[-=+?]|:|\/{1,2}|\/[#%]|#{1,2}|%{1,2}|\^{1,2}|,{1,2})[^}\n]*)?\}/s;

export function isPlaceholder(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  // an unquoted `{{ .Values.x | b64enc }}` that YAML read as a mapping
  if (templateExpression(value) !== undefined) return true;
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
