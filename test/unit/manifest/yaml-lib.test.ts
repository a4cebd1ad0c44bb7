import * as yamlStatic from 'yaml';
import { describe, expect, it } from 'vitest';
import { yamlLib } from '../../../src/manifest/yaml-lib.js';

describe('yamlLib', () => {
  it('loads the package once, as the same instance a static import gets', () => {
    const lib = yamlLib();
    expect(lib).toBe(yamlLib());
    expect(lib.parseDocument).toBe(yamlStatic.parseDocument);
    expect(lib.Document).toBe(yamlStatic.Document);
  });

  it('gives Documents that the statically imported node checks accept', () => {
    const doc = yamlLib().parseDocument('a:\n  - b\n');
    expect(yamlStatic.isMap(doc.contents)).toBe(true);
    expect(yamlStatic.isDocument(doc)).toBe(true);
  });
});
