/**
 * The Warning event doctor adds to a store that is not Ready: ESO's Ready condition says only
 * "unable to create client"; the event it records at the same time names the cause.
 */
import { describe, expect, it } from 'vitest';
import { latestWarning, type KubeEvent } from '../../../src/doctor/external-secrets.js';

const warning = (reason: string, message: string, lastTimestamp: string | null, extra: Partial<KubeEvent> = {}): KubeEvent => ({ type: 'Warning', reason, message, lastTimestamp, ...extra });

describe('latestWarning', () => {
  it('is the newest Warning, as "reason: message"', () => {
    const events = [
      warning('InvalidProviderConfig', 'could not fetch SecretAccessKey secret: secrets "old" not found', '2026-12-07T10:00:00Z'),
      warning('InvalidProviderConfig', 'could not fetch AccessKeyID secret: secrets "aws-creds" not found', '2026-12-07T10:05:00Z'),
      warning('InvalidProviderConfig', 'between', '2026-12-07T10:02:00Z'),
    ];
    expect(latestWarning(events)).toBe('InvalidProviderConfig: could not fetch AccessKeyID secret: secrets "aws-creds" not found');
  });

  it('ignores Normal events, and is undefined when no Warning is left', () => {
    expect(latestWarning([{ type: 'Normal', reason: 'Valid', message: 'store validated', lastTimestamp: '2026-12-07T11:00:00Z' }])).toBeUndefined();
    expect(latestWarning([])).toBeUndefined();
    expect(latestWarning([{ type: 'Normal', reason: 'Valid', message: 'ok', lastTimestamp: '2026-12-07T11:00:00Z' }, warning('Failed', 'old', '2026-12-07T10:00:00Z')])).toBe('Failed: old');
  });

  it('orders events.k8s.io-style events by eventTime, then creation, when lastTimestamp is null', () => {
    const byEventTime = [warning('A', 'first', null, { eventTime: '2026-12-07T10:00:00.000000Z' }), warning('B', 'second', null, { eventTime: '2026-12-07T10:01:00.000000Z' })];
    expect(latestWarning(byEventTime)).toBe('B: second');
    const byCreation = [warning('A', 'new', null, { metadata: { creationTimestamp: '2026-12-07T10:09:00Z' } }), warning('B', 'old', null, { metadata: { creationTimestamp: '2026-12-07T10:01:00Z' } })];
    expect(latestWarning(byCreation)).toBe('A: new');
  });

  it('keeps it on one line of at most 300 characters', () => {
    const got = latestWarning([warning('InvalidProviderConfig', `line one\n  line two\t${'x'.repeat(400)}`, '2026-12-07T10:00:00Z')])!;
    expect(got.startsWith('InvalidProviderConfig: line one line two x')).toBe(true);
    expect(got).not.toContain('\n');
    expect(got.length).toBe(300);
  });
});
