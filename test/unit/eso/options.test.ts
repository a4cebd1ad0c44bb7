import { describe, expect, it } from 'vitest';
import { awsError } from '../../../src/eso/aws.js';
import { goDuration, keyValues, namespaceFlag, oneOf, positiveInt } from '../../../src/commands/eso-options.js';

describe('flag values', () => {
  it('accepts Go durations ESO takes and rejects others', () => {
    for (const d of ['1h', '15m', '1h30m', '0s', '500ms', '0']) expect(goDuration(d, '--refresh-interval')).toBe(d);
    for (const d of ['1 hour', 'h', '1d', '']) expect(() => goDuration(d, '--refresh-interval')).toThrow(/is not a duration/);
  });
  it('matches choices case-insensitively and names the flag when wrong', () => {
    expect(oneOf('owner', ['Owner', 'Merge'] as const, '--creation-policy')).toBe('Owner');
    expect(() => oneOf('Own', ['Owner'] as const, '--creation-policy')).toThrow(/--creation-policy "Own" is not one of: Owner/);
  });
  it('parses key=value, namespaces and counts', () => {
    expect(keyValues(['team=a', 'x=y=z'], '--tag')).toEqual({ team: 'a', x: 'y=z' });
    expect(() => keyValues(['=a'], '--tag')).toThrow(/not key=value/);
    expect(namespaceFlag('prod')).toBe('prod');
    expect(() => namespaceFlag('Prod')).toThrow(/not a valid namespace/);
    expect(positiveInt('2', '--n')).toBe(2);
    expect(() => positiveInt('0', '--n')).toThrow(/positive whole number/);
  });
});

describe('AWS errors', () => {
  const sdk = (name: string, extra: object = {}) => Object.assign(new Error('raw AWS text that ksec never repeats'), { name, $metadata: { httpStatusCode: 400 }, ...extra });

  it('names the IAM action on access denied, exit 3', () => {
    const e = awsError(sdk('AccessDeniedException'), 'ListSecrets', 'secrets under "app/"');
    expect(e.message).toBe('AWS denied secretsmanager:ListSecrets (secrets under "app/")');
    expect(e.hint).toMatch(/allow the IAM action secretsmanager:ListSecrets/);
    expect(e.exitCode).toBe(3);
  });
  it('maps throttling, network, credentials and region problems', () => {
    expect(awsError(sdk('ThrottlingException'), 'BatchGetSecretValue', 'x').message).toMatch(/kept throttling/);
    const net = awsError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), 'ListSecrets', 'x');
    expect(net.message).toMatch(/cannot reach AWS Secrets Manager/);
    expect(net.exitCode).toBe(3);
    expect(awsError(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }), 'ListSecrets', 'x').message).toBe('no AWS credentials found');
    const region = awsError(new Error('Region is missing'), 'ListSecrets', 'x');
    expect(region.exitCode).toBe(2);
    expect(region.hint).toMatch(/--region/);
  });
  it('never repeats the SDK message for an unknown error', () => {
    const e = awsError(sdk('InternalServiceError'), 'ListSecrets', 'x');
    expect(e.message).toBe('AWS ListSecrets failed (x): InternalServiceError (HTTP 400)');
    expect(e.message).not.toContain('raw AWS text');
  });
});
