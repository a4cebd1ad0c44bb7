/**
 * The value types the API server gives the fields ksec reads text from, and
 * the first value in an object that does not fit them. kubectl sends what
 * sigs.k8s.io/yaml made of the YAML (YAML 1.1: unquoted `yes` is true, `010`
 * is 8) and the server refuses a number or a boolean where a string belongs:
 * - every object's metadata.name and metadata.namespace: string;
 * - every object's metadata.annotations and metadata.labels: map[string]string;
 * - a v1 Secret's data (map[string][]byte, base64 text in JSON) and stringData;
 * - a v1 ConfigMap's data and binaryData.
 * null is a value of each (an empty string). kubeseal coerces such values to
 * text instead (`yes` is sealed as "true"), and a scope annotation such as
 * `sealedsecrets.bitnami.com/cluster-wide: yes` would silently change meaning,
 * so ksec refuses them as the cluster does.
 */
import { isRecord } from './objects.js';

export interface FieldTypeProblem {
  /** the key path of the field: ['stringData', 'password'] */
  path: string[];
  /** what the value is instead of a string: a number, a boolean, a map, a list */
  found: string;
}

/** The first value of `object` that is not a string where Kubernetes wants one; undefined when all fit. */
export function fieldTypeProblem(object: Record<string, unknown>): FieldTypeProblem | undefined {
  const metadata = object['metadata'];
  if (isRecord(metadata)) {
    for (const field of ['name', 'namespace']) {
      const value = metadata[field];
      if (value !== undefined && value !== null && typeof value !== 'string') return { path: ['metadata', field], found: kindOf(value) };
    }
    for (const field of ['annotations', 'labels']) {
      const problem = stringMapProblem(metadata[field], ['metadata', field]);
      if (problem) return problem;
    }
  }
  if (object['apiVersion'] !== 'v1') return undefined;
  const fields = object['kind'] === 'Secret' ? ['data', 'stringData'] : object['kind'] === 'ConfigMap' ? ['data', 'binaryData'] : [];
  for (const field of fields) {
    const problem = stringMapProblem(object[field], [field]);
    if (problem) return problem;
  }
  return undefined;
}

function stringMapProblem(map: unknown, path: string[]): FieldTypeProblem | undefined {
  if (map === undefined || map === null) return undefined;
  if (!isRecord(map)) return { path, found: kindOf(map) };
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value !== null && typeof value !== 'string') return { path: [...path, key], found: kindOf(value) };
  }
  return undefined;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a map';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'number') return 'a number';
  return `a ${typeof value}`;
}

/** The one-line message and hint of a FieldTypeProblem (no value in them: it may be a secret). */
export function fieldTypeMessage(problem: FieldTypeProblem): { message: string; hint: string } {
  const where = problem.path.join('.');
  const scalar = problem.found === 'a boolean' || problem.found === 'a number';
  return {
    message: `${where} is ${problem.found}, not a string, as kubectl reads the YAML (YAML 1.1), and the API server refuses it`,
    hint: scalar
      ? 'quote the value in double quotes: unquoted yes/no/on/off/y/n are booleans and 010, 1_000, 0x10, 1e3 are numbers to kubectl'
      : `${where} must be a string`,
  };
}
