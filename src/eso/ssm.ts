/**
 * AWS Systems Manager Parameter Store, through @aws-sdk/client-ssm: the
 * discovery behind `ksec eso generate --service parameterstore`. Like aws.ts
 * it is the only place the values pass through: each parameter is reduced to
 * its shape (JSON keys, or a plain value) as soon as its page arrives.
 *
 * The SDK is loaded by openSsmSession (inside the function, as aws.ts does).
 *
 * GetParametersByPath, recursive, 10 parameters a page (the API's maximum),
 * every page. `WithDecryption` only when the caller needs the shape of the
 * values (modes data and extract): a SecureString's value is ciphertext
 * otherwise, and `--mode find` needs names only. Endpoint from
 * AWS_ENDPOINT_URL_SSM (or AWS_ENDPOINT_URL, or --endpoint-url); retries as
 * for Secrets Manager (aws-common.ts).
 */
import type { Parameter, SSMClient } from '@aws-sdk/client-ssm';
import { awsCaller, clientConfig, countCalls, PARAMETER_STORE, type AwsOptions, type AwsStats } from './aws-common.js';
import type { SecretShape } from './generate.js';
import { shapeOf } from './shape.js';

export interface SsmSession {
  client: SSMClient;
  /** the SDK's module (its command classes) */
  sdk: typeof import('@aws-sdk/client-ssm');
  stats: AwsStats;
}

/** GetParametersByPath's largest page. */
export const PAGE_SIZE = 10;

/** GetParametersByPath returns values (decrypted with WithDecryption): no SDK error is kept as a cause. */
const call = awsCaller(PARAMETER_STORE, new Set(['GetParametersByPath']));

export async function openSsmSession(options: AwsOptions = {}): Promise<SsmSession> {
  const sdk = await import('@aws-sdk/client-ssm');
  const client = new sdk.SSMClient(clientConfig(options));
  return { client, sdk, stats: countCalls(client.middlewareStack) };
}

export type ParameterType = 'String' | 'StringList' | 'SecureString';

export interface ListedParameter {
  name: string;
  type: ParameterType;
  /** with values read: the value's shape (a StringList is always a plain value) */
  shape?: SecretShape;
}

/**
 * Every parameter below `path` (recursive), sorted by name; with `readShapes`
 * the shape of each value, decrypting SecureStrings to learn it.
 */
export async function listParameters(
  session: SsmSession,
  path: string,
  options: { readShapes: boolean; onPage?: (count: number) => void },
): Promise<ListedParameter[]> {
  const out: ListedParameter[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call('GetParametersByPath', `parameters under "${path}"`, () =>
      session.client.send(
        new session.sdk.GetParametersByPathCommand({ Path: path, Recursive: true, WithDecryption: options.readShapes, MaxResults: PAGE_SIZE, NextToken: nextToken }),
      ),
    );
    const params = (page.Parameters ?? []).filter((p: Parameter): p is Parameter & { Name: string } => typeof p.Name === 'string');
    for (const p of params) {
      const type = (p.Type ?? 'String') as ParameterType;
      const item: ListedParameter = { name: p.Name, type };
      if (options.readShapes) item.shape = type === 'StringList' ? { type: 'string' } : shapeOf(p.Value ?? '', undefined);
      out.push(item);
    }
    options.onPage?.(params.length);
    nextToken = page.NextToken || undefined;
  } while (nextToken);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
