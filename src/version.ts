/** ksec's version: package.json's, kept equal by test/unit/version.test.ts. */
export const VERSION = '0.1.0';
