/**
 * Standard base64 (RFC 4648 alphabet `A-Z a-z 0-9 + /`) as Go's
 * encoding/base64 reads it. These take the text as it is: no whitespace or
 * line breaks inside (callers that allow them remove them first).
 */

const UNPADDED = /^[A-Za-z0-9+/]*$/;

/**
 * Whether `text` is padded standard base64 (base64.StdEncoding): whole
 * quadruples, `=` only as the last one or two characters. Checked without a
 * repeated group, whose backtracking overflows the stack on values of a few MB.
 */
export function isPaddedBase64(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return UNPADDED.test(pad === 0 ? text : text.slice(0, -pad));
}

/**
 * The bytes of canonical standard base64 (base64.StdEncoding.Strict() when
 * `padded`, RawStdEncoding.Strict() when not): the unused bits of the last
 * character must be zero, so every byte string has one encoding. Undefined
 * for anything else.
 */
export function decodeCanonicalBase64(text: string, padded: boolean): Buffer | undefined {
  if (padded ? !isPaddedBase64(text) : !UNPADDED.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64');
  const again = bytes.toString('base64');
  return (padded ? again : again.replace(/=+$/, '')) === text ? bytes : undefined;
}
