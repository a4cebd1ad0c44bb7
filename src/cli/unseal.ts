/**
 * `ksec unseal`: SealedSecret -> Secret offline, with the controller's
 * private keys (kubeseal --recovery-unseal). Also holds the private-key flags
 * that `reencrypt` and `validate` share. Flags only at start-up; the
 * implementation loads inside the action.
 */
import type { Command } from 'commander';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `--private-key` (repeatable, comma lists allowed as in kubeseal) and its kubeseal alias. */
export function addPrivateKeyOptions(cmd: Command, required: boolean): Command {
  const what = required ? '' : ' (optional: adds a decrypt check)';
  return cmd
    .option(
      '--private-key <file>',
      `controller private key: PEM (PKCS#1/PKCS#8) or a key backup Secret/List YAML or JSON; repeatable, all are tried${what}`,
      collect,
    )
    .option('--recovery-private-key <file>', 'alias of --private-key (kubeseal\'s name)', collect);
}

export function privateKeyPaths(opts: { privateKey?: string[]; recoveryPrivateKey?: string[] }): string[] {
  return [...(opts.privateKey ?? []), ...(opts.recoveryPrivateKey ?? [])].flatMap((v) => v.split(',')).filter((v) => v !== '');
}

export interface UnsealFlags {
  file?: string[];
  privateKey?: string[];
  recoveryPrivateKey?: string[];
  format?: string;
  dataKey?: string[];
  write?: string;
  namespace?: string;
}

export function registerUnseal(program: Command): void {
  const cmd = program
    .command('unseal')
    .description('decrypt SealedSecrets offline with the controller\'s private keys (kubeseal --recovery-unseal)')
    .option('-f, --file <file>', 'SealedSecret file or directory (repeatable; default: stdin)', collect);
  addPrivateKeyOptions(cmd, true)
    .option('-o, --format <format>', 'yaml or json (default: from the -w extension, else yaml)')
    .option('--data-key <key>', 'print only the decoded value of this key (repeatable; one value per line when several)', collect)
    .option('-w, --write <file>', 'write the Secret to this file (atomically, mode 0600) instead of stdout')
    .option('-n, --namespace <ns>', 'namespace for a SealedSecret that has none (the one it is applied in)')
    .addHelpText(
      'after',
      `
Examples:
  ksec unseal -f db-sealed.yaml --private-key sealed-secrets.key
  kubectl get secret -n kube-system -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml > keys.yaml
  ksec unseal -f db-sealed.yaml --private-key keys.yaml --data-key password
  ksec unseal -f sealed/ --recovery-private-key old.key,new.key -o json -w secrets.json

The Secret goes to stdout unless -w is given; nothing is ever written beside the input.
Exit codes: 0 unsealed; 2 bad input: no key opens a value (the message says whether the
key, the scope or the namespace/name is wrong), damaged value, missing file.`,
    )
    .action(async (opts: UnsealFlags) => {
      await runUnseal(opts);
    });
}

async function runUnseal(opts: UnsealFlags): Promise<void> {
  const [{ readObjects, STDIN }, { render, writeFileAtomic, writeStdout, formatFromPath, parseFormat }, { loadPrivateKeys }, unseal, pool, ui, errors, { objectRef }] =
    await Promise.all([
      import('../manifest/read.js'),
      import('../manifest/write.js').then(async (w) => ({ ...w, ...(await import('../terminal/output.js')) })),
      import('../seal/keys.js'),
      import('../seal/unseal.js'),
      import('../seal/pool.js'),
      import('../terminal/messages.js'),
      import('../errors.js'),
      import('../manifest/objects.js'),
    ]);
  const format = parseFormat(opts.format ?? (opts.write ? formatFromPath(opts.write) : 'yaml'));
  const keys = await loadPrivateKeys(privateKeyPaths(opts));
  const inputs = opts.file?.length ? opts.file : [STDIN];
  const objects = (await readObjects(inputs)).filter((o) => o.object.kind === 'SealedSecret');
  if (objects.length === 0) {
    throw new errors.KsecError('no SealedSecret found', { file: inputs.join(', '), hint: 'give a file with kind: SealedSecret' });
  }
  const ring = new unseal.KeyRing(keys.map((k) => k.key));
  const total = objects.reduce((n, o) => n + Object.keys((o.object.spec as { encryptedData?: object } | undefined)?.encryptedData ?? {}).length, 0);
  const bar = ui.progress('unsealing', total);
  const secrets = await unseal.unsealSealedSecrets(
    objects.map((o) => ({ object: o.object, file: o.file.path })),
    ring,
    { namespace: opts.namespace },
    async (k, jobs) => {
      // slices keep the progress line moving on long runs; the pool parallelises each
      const out = [];
      for (let i = 0; i < jobs.length; i += 2000) {
        out.push(...(await pool.decryptMany(k, jobs.slice(i, i + 2000))));
        bar.tick(Math.min(2000, jobs.length - i));
      }
      return out;
    },
  );
  bar.done();

  let output: string | Buffer;
  if (opts.dataKey?.length) {
    if (secrets.length !== 1) {
      throw new errors.KsecError(`--data-key needs exactly one SealedSecret, found ${secrets.length}`, {
        file: inputs.join(', '),
        hint: 'give one file with one SealedSecret',
      });
    }
    const secret = secrets[0]!;
    const values = opts.dataKey.map((key) => {
      const value = secret.data?.[key];
      if (typeof value !== 'string') {
        throw new errors.KsecError(`the Secret has no key "${key}"`, {
          object: objectRef(secret),
          hint: `keys: ${Object.keys(secret.data ?? {}).join(', ') || '(none)'}`,
        });
      }
      return Buffer.from(value, 'base64');
    });
    output = values.length === 1 ? values[0]! : Buffer.concat(values.flatMap((v) => [v, Buffer.from('\n')]));
  } else {
    output = render(secrets, format as 'yaml' | 'json');
  }
  if (opts.write) await writeFileAtomic(opts.write, output, 0o600);
  else await writeStdout(output);
}
