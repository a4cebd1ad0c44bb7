/**
 * `ksec eso`: External Secrets Operator manifests for AWS Secrets Manager.
 * Flags only; the implementation (and the AWS SDK) loads inside the actions.
 */
import { Option, type Command } from 'commander';
import { implementation } from './implementations.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `--api-version`: every `ksec eso` command writes ESO manifests of one API version. */
const apiVersionOption = () => new Option('--api-version <v>', 'v1, or v1beta1 for ESO older than v0.17').default('v1');

/** `--refresh-interval`: how often ESO re-reads, on each ExternalSecret. */
const refreshIntervalOption = () => new Option('--refresh-interval <d>', 'how often ESO re-reads (Go duration)').default('1h');

/** Where and as whom the command calls AWS: --region, --profile, --endpoint-url. */
function addAwsOptions(cmd: Command): Command {
  return cmd
    .option('--region <region>', 'AWS region (default: the SDK chain, AWS_REGION)')
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE)')
    .option('--endpoint-url <url>', 'AWS endpoint (default: AWS_ENDPOINT_URL_SECRETS_MANAGER, or AWS_ENDPOINT_URL_SSM for Parameter Store)');
}

export function registerEso(program: Command): void {
  const eso = program
    .command('eso')
    .description('External Secrets Operator manifests for AWS Secrets Manager and Parameter Store paths')
    .addHelpText(
      'after',
      `
Examples:
  ksec eso store --name aws --region eu-west-1 --auth irsa --service-account external-secrets --service-account-namespace external-secrets
  ksec eso generate --path myapp/production --store aws --namespace-from-path 2 -d deploy/external-secrets
  ksec eso generate --from-spec secrets.yaml --store aws
  ksec eso generate --service parameterstore --path /myapp/prod/ --store aws-ssm -n production
  ksec eso migrate -f secret.yaml --path myapp/production --dry-run

See docs/eso.md for the IAM policy each command needs.`,
    );

  eso
    .command('store')
    .description('print a ClusterSecretStore (or, with --namespaced, a SecretStore) for AWS')
    .requiredOption('--name <name>', 'store name')
    .option('--namespaced', 'a namespaced SecretStore instead of a ClusterSecretStore')
    .option('-n, --namespace <ns>', 'namespace of the SecretStore')
    .option('--service <service>', 'SecretsManager or ParameterStore', 'SecretsManager')
    .option('--region <region>', 'AWS region (default: AWS_REGION)')
    .option('--role <arn>', 'IAM role ARN ESO assumes')
    .option('--prefix <prefix>', 'prefix ESO prepends to every remote key')
    .option('--auth <kind>', 'irsa, secret-ref or default (the controller\'s own credentials)', 'default')
    .option('--service-account <name>', 'irsa: ServiceAccount whose token ESO exchanges')
    .option('--service-account-namespace <ns>', 'irsa: its namespace (ClusterSecretStore)')
    .option('--audience <aud>', 'irsa: token audience (repeatable)', collect)
    .option('--secret-name <name>', 'secret-ref: Secret holding the access keys')
    .option('--secret-namespace <ns>', 'secret-ref: its namespace (ClusterSecretStore)')
    .option('--access-key-id-key <key>', 'secret-ref: key of the access key ID', 'access-key-id')
    .option('--secret-access-key-key <key>', 'secret-ref: key of the secret access key', 'secret-access-key')
    .option('--session-token-key <key>', 'secret-ref: key of a session token')
    .option('--condition-namespace <ns>', 'ClusterSecretStore: only this namespace may use it (repeatable)', collect)
    .option('--condition-namespace-regex <re>', 'ClusterSecretStore: namespaces matching (repeatable)', collect)
    .option('--condition-selector <k=v>', 'ClusterSecretStore: namespaces with this label (repeatable)', collect)
    .addOption(apiVersionOption())
    .option('-w, --write <file>', 'write to FILE (atomically) instead of stdout')
    .addHelpText(
      'after',
      `
Examples:
  ksec eso store --name aws --region eu-west-1 --auth irsa --service-account external-secrets --service-account-namespace external-secrets
  ksec eso store --name aws --namespaced -n payments --region eu-west-1 --auth secret-ref --secret-name aws-creds
  ksec eso store --name aws --region eu-west-1 --role arn:aws:iam::123456789012:role/eso --condition-namespace payments
  ksec eso store --name aws-ssm --service parameterstore --region eu-west-1 --auth irsa --service-account external-secrets --service-account-namespace external-secrets`,
    )
    .action(async (opts) => {
      const { runStore } = await implementation('eso');
      await runStore(opts);
    });

  addAwsOptions(
    eso
      .command('generate')
      .description('one ExternalSecret per AWS secret or parameter under the given paths (values are never read into the output)')
      .option('--path <prefix>', 'Secrets Manager name prefix, or Parameter Store path (repeatable)', collect)
      .option('--service <service>', 'SecretsManager or ParameterStore (any case)', 'SecretsManager')
      .option('--from-spec <file>', 'offline: a YAML or CSV list of paths and keys, no AWS access')
      .option('--store <name>', 'SecretStore / ClusterSecretStore to read through')
      .option('--store-kind <kind>', 'ClusterSecretStore or SecretStore (default: ClusterSecretStore)')
      .option('--mode <mode>', 'data (one entry per JSON key), extract (dataFrom.extract) or find (one ExternalSecret per prefix)', 'data')
      .option('--flatten', 'data mode: one entry per nested JSON leaf (property a.b) instead of per top-level key')
      .option('--find-regexp <re>', 'find mode: name regexp (default: .*)')
      .option('-n, --namespace <ns>', 'namespace of every ExternalSecret')
      .option('--namespace-from-path <n>', 'path segment n (from 1) names the namespace')
      .option('--strip-prefix', 'name ExternalSecrets by the path below --path')
      .addOption(refreshIntervalOption())
      .option('--creation-policy <p>', 'Owner, Orphan, Merge or None', 'Owner')
      .option('--deletion-policy <p>', 'Retain, Delete (needs Owner) or Merge', 'Retain')
      .option('--template-type <type>', 'target.template.type, e.g. kubernetes.io/dockerconfigjson')
      .addOption(apiVersionOption())
      .option('-d, --output-dir <dir>', 'one file per ExternalSecret plus kustomization.yaml (default: YAML stream on stdout)'),
  )
    .option('--check', 'with -d DIR: write nothing; exit 1 and list the differences when DIR is not what AWS gives now')
    .option('--stats', 'print the number of AWS API calls on stderr')
    .addHelpText(
      'after',
      `
Examples:
  ksec eso generate --path myapp/production --store aws
  ksec eso generate --path myapp/ --store aws --namespace-from-path 2 --strip-prefix -d deploy/external-secrets
  ksec eso generate --path myapp/production --store aws --mode extract --deletion-policy Delete
  ksec eso generate --path myapp/production --store aws --mode find -n production
  ksec eso generate --from-spec secrets.csv --store aws --namespace production
  ksec eso generate --service parameterstore --path /myapp/prod/ --store aws-ssm -n production
  ksec eso generate --path myapp/ --store aws --namespace-from-path 2 -d deploy/external-secrets --check

IAM: secretsmanager:ListSecrets, secretsmanager:BatchGetSecretValue and secretsmanager:GetSecretValue
(BatchGetSecretValue checks it per secret); Parameter Store: ssm:GetParametersByPath (and kms:Decrypt
for SecureStrings, except with --mode find); none with --from-spec.
--check exits 0 when DIR is current, 1 when it differs (one line per file), 2 on bad input, 3 when AWS fails.`,
    )
    .action(async (opts) => {
      const { runGenerate } = await implementation('eso');
      process.exitCode = await runGenerate(opts);
    });

  addAwsOptions(
    eso
      .command('migrate')
      .description('move Secrets (plain, SOPS-encrypted, or SealedSecrets with --private-key) into Secrets Manager and print the ExternalSecrets that replace them')
      .requiredOption('-f, --filename <file>', 'Secret manifests (file, directory or -; repeatable)', collect)
      .requiredOption('--path <prefix>', 'AWS secret name prefix: each Secret goes to PREFIX/NAME')
      .requiredOption('--store <name>', 'SecretStore / ClusterSecretStore the ExternalSecrets read through')
      .option('--store-kind <kind>', 'ClusterSecretStore or SecretStore', 'ClusterSecretStore')
      .option('--private-key <file>', 'sealed-secrets private key(s) to open SealedSecrets (repeatable)', collect)
      .option('--age-key-file <file>', 'age identities for SOPS files (repeatable; default: as sops finds them)', collect)
      .option('--tag <k=v>', 'extra tag on the AWS secret (repeatable)', collect)
      .addOption(refreshIntervalOption())
      .addOption(apiVersionOption())
      .option('--dry-run', 'show what would be created, without values and without calling AWS')
      .option('-w, --write <file>', 'write the ExternalSecrets to FILE (atomically) instead of stdout'),
  )
    .addHelpText(
      'after',
      `
Examples:
  ksec eso migrate -f k8s/db-secret.yaml --path myapp/production --store aws --dry-run
  ksec eso migrate -f k8s/db-secret.yaml --path myapp/production --store aws -w k8s/db-externalsecret.yaml
  ksec eso migrate -f sealed/ --private-key backup.key --path myapp/production --store aws
  ksec eso migrate -f secret.enc.yaml --age-key-file key.txt --path myapp/production --store aws

IAM: secretsmanager:CreateSecret, secretsmanager:PutSecretValue, secretsmanager:TagResource.`,
    )
    .action(async (opts) => {
      const { runMigrate } = await implementation('esoMigrate');
      await runMigrate(opts);
    });
}
