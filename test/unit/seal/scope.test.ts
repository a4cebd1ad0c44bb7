import { describe, expect, it } from 'vitest';
import { KsecError } from '../../../src/errors.js';
import {
  annotationsFor,
  CLUSTER_WIDE_ANNOTATION,
  labelFor,
  NAMESPACE_WIDE_ANNOTATION,
  parseScope,
  scopeOf,
  withScopeAnnotations,
} from '../../../src/seal/scope.js';

describe('scopeOf', () => {
  it('is strict without annotations', () => {
    expect(scopeOf(undefined)).toBe('strict');
    expect(scopeOf({})).toBe('strict');
    expect(scopeOf({ annotations: { other: 'true' } })).toBe('strict');
  });
  it('reads namespace-wide and cluster-wide, only for the exact value "true"', () => {
    expect(scopeOf({ annotations: { [NAMESPACE_WIDE_ANNOTATION]: 'true' } })).toBe('namespace-wide');
    expect(scopeOf({ annotations: { [CLUSTER_WIDE_ANNOTATION]: 'true' } })).toBe('cluster-wide');
    expect(scopeOf({ annotations: { [CLUSTER_WIDE_ANNOTATION]: 'True' } })).toBe('strict');
    expect(scopeOf({ annotations: { [NAMESPACE_WIDE_ANNOTATION]: 'yes' } })).toBe('strict');
  });
  it('lets cluster-wide win over namespace-wide, like the controller', () => {
    const both = { [NAMESPACE_WIDE_ANNOTATION]: 'true', [CLUSTER_WIDE_ANNOTATION]: 'true' };
    expect(scopeOf({ annotations: both })).toBe('cluster-wide');
  });
});

describe('labelFor', () => {
  it('builds the OAEP label per scope', () => {
    expect(labelFor('strict', 'prod', 'db').toString()).toBe('prod/db');
    expect(labelFor('namespace-wide', 'prod', 'db').toString()).toBe('prod');
    expect(labelFor('cluster-wide', 'prod', 'db').length).toBe(0);
    expect(labelFor('strict', 'ns', 'ünï').equals(Buffer.from('ns/ünï', 'utf8'))).toBe(true);
  });
});

describe('annotations', () => {
  it('annotationsFor', () => {
    expect(annotationsFor('strict')).toEqual({});
    expect(annotationsFor('namespace-wide')).toEqual({ [NAMESPACE_WIDE_ANNOTATION]: 'true' });
    expect(annotationsFor('cluster-wide')).toEqual({ [CLUSTER_WIDE_ANNOTATION]: 'true' });
  });
  it('withScopeAnnotations replaces both scope annotations and keeps the rest, without mutating', () => {
    const input = { a: '1', [CLUSTER_WIDE_ANNOTATION]: 'true', [NAMESPACE_WIDE_ANNOTATION]: 'true' };
    expect(withScopeAnnotations(input, 'namespace-wide')).toEqual({ a: '1', [NAMESPACE_WIDE_ANNOTATION]: 'true' });
    expect(withScopeAnnotations(input, 'strict')).toEqual({ a: '1' });
    expect(withScopeAnnotations(undefined, 'cluster-wide')).toEqual({ [CLUSTER_WIDE_ANNOTATION]: 'true' });
    expect(input[CLUSTER_WIDE_ANNOTATION]).toBe('true');
  });
});

describe('parseScope', () => {
  it('accepts the three names and rejects anything else with a hint', () => {
    expect(parseScope('strict')).toBe('strict');
    expect(parseScope('namespace-wide')).toBe('namespace-wide');
    expect(parseScope('cluster-wide')).toBe('cluster-wide');
    expect(() => parseScope('cluster')).toThrow(KsecError);
    let caught: unknown;
    try {
      parseScope('global');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(KsecError);
    expect((caught as KsecError).hint).toContain('namespace-wide');
    expect((caught as KsecError).exitCode).toBe(2);
  });
});
