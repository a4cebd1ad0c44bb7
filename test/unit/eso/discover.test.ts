import * as sdk from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import type { AwsSession } from '../../../src/eso/aws.js';
import { listAwsSecrets, readAwsSources } from '../../../src/eso/discover.js';

/** A session whose client answers ListSecrets from `names` (one page per call) and BatchGetSecretValue from `values`. */
function fakeSession(names: string[], values: Record<string, string | undefined>): AwsSession {
  const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      if (command.constructor.name === 'ListSecretsCommand') {
        const prefix = (command.input.Filters as { Values: string[] }[] | undefined)?.[0]?.Values[0] ?? '';
        return { SecretList: names.filter((n) => n.startsWith(prefix)).map((n) => ({ Name: n, ARN: arn(n) })) };
      }
      const ids = command.input.SecretIdList as string[];
      const name = (id: string) => id.slice(arn('').length);
      return {
        SecretValues: ids.filter((id) => values[name(id)] !== undefined).map((id) => ({ ARN: id, SecretString: values[name(id)] })),
        Errors: ids.filter((id) => values[name(id)] === undefined).map((id) => ({ SecretId: id, ErrorCode: 'ResourceNotFoundException' })),
      };
    },
  };
  return { client, sdk, stats: { operations: {}, requests: {} } } as unknown as AwsSession;
}

describe('AWS discovery steps', () => {
  it('lists each secret once, sorted, and warns about an empty prefix instead of printing', async () => {
    const session = fakeSession(['app/b', 'app/a', 'other/c'], {});
    const progress: [number, number | undefined][] = [];
    const listed = await listAwsSecrets(session, ['app/', 'app/a', 'none/'], (done, total) => progress.push([done, total]));
    expect(listed.secrets.map((s) => s.name)).toEqual(['app/a', 'app/b']);
    expect(listed.warnings).toEqual(['no secrets found under "none/"']);
    expect(progress).toEqual([[2, undefined], [3, undefined], [3, undefined]]);
  });

  it('says nothing about an empty prefix when it is the only one', async () => {
    expect((await listAwsSecrets(fakeSession([], {}), ['none/'])).warnings).toEqual([]);
  });

  it('reads shapes into sources and returns a warning for each secret gone since the listing', async () => {
    const session = fakeSession(['app/db', 'app/gone', 'app/token'], { 'app/db': '{"user":"u","pass":"p"}', 'app/token': 'plain' });
    const { secrets } = await listAwsSecrets(session, ['app/']);
    const progress: [number, number | undefined][] = [];
    const read = await readAwsSources(session, secrets, { onProgress: (done, total) => progress.push([done, total]) });
    expect(read.sources.map((s) => s.key)).toEqual(['app/db', 'app/token']);
    expect(read.sources[0]!.properties!.map((p) => p.secretKey)).toEqual(['user', 'pass']);
    expect(read.warnings).toEqual(['skipped app/gone: deleted']);
    expect(progress).toEqual([[3, 3]]);
  });
});
