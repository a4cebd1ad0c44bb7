import { describe, expect, it } from 'vitest';
import {
  DNS1123_SUBDOMAIN,
  SECRET_KEY_PATTERN,
  disambiguate,
  findCollisions,
  gjsonPath,
  namespaceName,
  objectName,
  pathSegment,
  relativePath,
  secretKeyFor,
} from '../../../src/eso/naming.js';

describe('objectName', () => {
  it('turns paths into DNS-1123 names', () => {
    expect(objectName('myapp/production/db')).toBe('myapp-production-db');
    expect(objectName('/MyApp//Prod_DB.v2/')).toBe('myapp-prod-db-v2');
    expect(objectName('a b@c+d=e')).toBe('a-b-c-d-e');
    expect(objectName('///')).toBe('');
  });
  it('cuts long names and keeps them apart with a hash', () => {
    const a = objectName(`${'x'.repeat(300)}/a`);
    const b = objectName(`${'x'.repeat(300)}/b`);
    expect(a.length).toBeLessThanOrEqual(253);
    expect(a).not.toBe(b);
    expect(a).toMatch(DNS1123_SUBDOMAIN);
  });
  it('makes namespace labels of at most 63 characters', () => {
    expect(namespaceName('Production')).toBe('production');
    expect(namespaceName('y'.repeat(100))!.length).toBeLessThanOrEqual(63);
    expect(namespaceName('__')).toBeUndefined();
  });
});

describe('paths', () => {
  it('takes 1-based segments, ignoring empty ones', () => {
    expect(pathSegment('/myapp//production/db', 2)).toBe('production');
    expect(pathSegment('myapp', 2)).toBeUndefined();
  });
  it('strips a prefix', () => {
    expect(relativePath('myapp/production/db', 'myapp/production')).toBe('db');
    expect(relativePath('myapp/production/db', 'myapp/production/')).toBe('db');
    expect(relativePath('other/db', 'myapp')).toBe('other/db');
  });
});

describe('secret keys', () => {
  it('sanitises to ESO’s pattern', () => {
    for (const k of ['user name', 'a/b', 'ключ', '', 'ok.key-1_x']) expect(secretKeyFor(k)).toMatch(SECRET_KEY_PATTERN);
    expect(secretKeyFor('ok.key-1_x')).toBe('ok.key-1_x');
    expect(secretKeyFor('user name')).toBe('user_name');
  });
  it('escapes gjson specials; top-level dots stay (ESO tries the literal key first)', () => {
    expect(gjsonPath(['password'])).toBe('password');
    expect(gjsonPath(['a.b'])).toBe('a.b');
    expect(gjsonPath(['a*b?'])).toBe('a\\*b\\?');
    expect(gjsonPath(['db', 'host.name'])).toBe('db.host\\.name');
  });
});

describe('collisions', () => {
  it('groups items that map to one name, in first-seen order', () => {
    const c = findCollisions(['a/b', 'a_b', 'c', 'a.b'], objectName);
    expect(c).toEqual([{ name: 'a-b', sources: ['a/b', 'a_b', 'a.b'] }]);
    expect(findCollisions(['x', 'y'], (s) => s)).toEqual([]);
  });
  it('disambiguates deterministically within the limit', () => {
    expect(disambiguate('a-b', 'a/b')).toBe(disambiguate('a-b', 'a/b'));
    expect(disambiguate('a-b', 'a/b')).not.toBe(disambiguate('a-b', 'a_b'));
    expect(disambiguate('z'.repeat(253), 'p').length).toBe(253);
  });
});

describe('parameterPath', () => {
  it('normalises folders and refuses what GetParametersByPath refuses', async () => {
    const { parameterPath } = await import('../../../src/eso/naming.js');
    expect(parameterPath('/myapp/prod/')).toBe('/myapp/prod');
    expect(parameterPath('/myapp/prod')).toBe('/myapp/prod');
    expect(parameterPath('/')).toBe('/');
    for (const bad of ['myapp/prod', '/a b', '/a//b', '', '/ü']) expect(() => parameterPath(bad), bad).toThrow(/invalid Parameter Store path/);
  });
});
