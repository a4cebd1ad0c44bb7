/**
 * `ksec eso migrate`: flags in; each Secret stored in AWS Secrets Manager
 * (or, with --dry-run, only described, without values and without an AWS
 * call), then the ExternalSecrets that replace them written out.
 */
import { KsecError } from '../errors.js';
import { readObjects } from '../manifest/read.js';
import { renderYaml, writeFileAtomic } from '../manifest/write.js';
import { note, noteSkipped } from '../terminal/messages.js';
import { writeStdout } from '../terminal/output.js';
import { STORE_KINDS, type StoreRef } from '../eso/manifests.js';
import { openSecrets, planMigration } from '../eso/migrate.js';
import { findCollisions } from '../eso/naming.js';
import { apiVersionFlag, dnsName, goDuration, keyValues, oneOf } from './eso-options.js';

export interface MigrateFlags {
  filename: string[];
  path: string;
  store: string;
  storeKind: string;
  privateKey?: string[];
  ageKeyFile?: string[];
  tag?: string[];
  refreshInterval: string;
  apiVersion: string;
  dryRun?: boolean;
  write?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
}

export async function runMigrate(flags: MigrateFlags): Promise<void> {
  const apiVersion = apiVersionFlag(flags.apiVersion);
  const store: StoreRef = { name: dnsName(flags.store, '--store'), kind: oneOf(flags.storeKind, STORE_KINDS, '--store-kind') };
  const refreshInterval = goDuration(flags.refreshInterval, '--refresh-interval');
  const prefix = flags.path.trim();
  if (prefix === '' || prefix === '/') throw new KsecError('--path must name a prefix', { hint: 'e.g. --path myapp/production' });
  const tags = Object.entries({ 'managed-by': 'ksec', ...keyValues(flags.tag, '--tag') }).map(([Key, Value]) => ({ Key, Value }));

  const skipped: string[] = [];
  const objects = await readObjects(flags.filename, { skipped });
  noteSkipped(skipped);
  const secrets = await openSecrets(objects, flags.privateKey ?? [], flags.ageKeyFile ?? []);
  const items = secrets.map(({ secret, file }) => planMigration(secret, file, { prefix, store, refreshInterval, apiVersion }));
  for (const c of findCollisions(items, (i) => i.awsName)) {
    throw new KsecError(`${c.sources.map((i) => i.ref).join(' and ')} would both be stored as "${c.name}"`, {
      hint: 'migrate them with different --path prefixes (e.g. one per namespace)',
    });
  }

  if (flags.dryRun) {
    for (const i of items) {
      const b64 = i.base64Keys.length ? ` (stored base64: ${i.base64Keys.join(', ')})` : '';
      note(`would create or update AWS secret ${i.awsName} from ${i.ref} with keys: ${i.keys.join(', ')}${b64}; tags: ${tags.map((t) => `${t.Key}=${t.Value}`).join(', ')}`);
    }
  } else {
    const { openSession, upsertSecret } = await import('../eso/aws.js');
    const session = await openSession({ region: flags.region, profile: flags.profile, endpoint: flags.endpointUrl });
    for (const i of items) {
      const result = await upsertSecret(session, i.awsName, i.payload, [...tags, { Key: 'ksec.io/migrated-from', Value: i.ref }]);
      note(`${result} AWS secret ${i.awsName} from ${i.ref} (${i.keys.length} keys)`);
    }
  }
  const text = renderYaml(items.map((i) => i.externalSecret));
  if (flags.write) await writeFileAtomic(flags.write, text);
  else await writeStdout(text);
  if (!flags.dryRun) note('next: commit the ExternalSecrets, then delete the Secret manifests from the repository');
}
