/**
 * `ksec eso generate --check -d DIR` offline (--from-spec, no AWS): 0 on the directory generate just
 * wrote, 1 with one line per differing file after the directory is edited, 2 without -d. The
 * end-to-end version against moto and ESO is test/e2e/eso/controller-sync.test.ts.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKsec } from '../helpers/run-ksec.js';

const SPEC = `store: aws
namespace: prod
secrets:
  - path: app/db
    keys: [username, password]
  - path: app/token
`;

describe('ksec eso generate --check', () => {
  it('0 when current, 1 naming each difference, 2 without a directory', async () => {
    const work = await mkdtemp(join(tmpdir(), 'ksec-eso-check-'));
    const spec = join(work, 'spec.yaml');
    const dir = join(work, 'out');
    await writeFile(spec, SPEC);
    const gen = await runKsec(['eso', 'generate', '--from-spec', spec, '-d', dir]);
    expect(gen.code, gen.stderr).toBe(0);

    const current = await runKsec(['eso', 'generate', '--from-spec', spec, '-d', dir, '--check']);
    expect(current.code, current.stderr).toBe(0);
    expect(current.stdout).toBe('');
    expect(current.stderr).toMatch(/is current: 2 ExternalSecret/);

    // a key removed by hand, a file deleted: both reported, nothing rewritten
    const db = join(dir, 'prod_app-db.yaml');
    const edited = (await readFile(db, 'utf8')).replace(/secretKey: password/, 'secretKey: pass');
    await writeFile(db, edited);
    await rm(join(dir, 'prod_app-token.yaml'));
    const drift = await runKsec(['eso', 'generate', '--from-spec', spec, '-d', dir, '--check']);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toBe(
      'prod_app-db.yaml: ExternalSecret prod/app-db differs at spec.data[secretKey=password] (missing), spec.data[secretKey=pass] (not produced now)\n' +
        'prod_app-token.yaml: ExternalSecret prod/app-token is missing (generate would write it now)\n',
    );
    expect(await readFile(db, 'utf8')).toBe(edited);

    const noDir = await runKsec(['eso', 'generate', '--from-spec', spec, '--check']);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toMatch(/--check compares with a directory/);
  });
});
