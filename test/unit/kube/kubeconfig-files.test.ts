import { mkdtemp, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeconfigFiles, readKubeconfig } from '../../../src/kube/kubeconfig-files.js';

const saved = process.env['KUBECONFIG'];
afterEach(() => {
  if (saved === undefined) delete process.env['KUBECONFIG'];
  else process.env['KUBECONFIG'] = saved;
});

describe('kubeconfig files', () => {
  it('takes --kubeconfig, else every KUBECONFIG entry in order, else ~/.kube/config', () => {
    process.env['KUBECONFIG'] = ['/a/config', '', '/b/config'].join(delimiter);
    expect(kubeconfigFiles('/explicit')).toEqual(['/explicit']);
    expect(kubeconfigFiles()).toEqual(['/a/config', '/b/config']);
    process.env['KUBECONFIG'] = '';
    expect(kubeconfigFiles()).toEqual([join(homedir(), '.kube', 'config')]);
  });

  it('reads a kubeconfig as data, and answers undefined for a missing or malformed file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ksec-kubeconfig-'));
    const good = join(dir, 'good');
    await writeFile(good, 'apiVersion: v1\nkind: Config\ncurrent-context: demo\ncontexts:\n- name: demo\n  context:\n    namespace: team-a\n');
    const bad = join(dir, 'bad');
    await writeFile(bad, 'contexts: [\n');
    expect((await readKubeconfig(good))?.['current-context']).toBe('demo');
    expect(await readKubeconfig(bad)).toBeUndefined();
    expect(await readKubeconfig(join(dir, 'missing'))).toBeUndefined();
  });
});
