/**
 * Manifests saved as UTF-16. Windows PowerShell 5 writes
 * `kubectl ... -o yaml > x.yaml` as UTF-16 with a byte order mark, and
 * go-yaml (so kubectl, kubeconform and the controllers) reads such a file:
 * it decides the encoding by the BOM, UTF-8 without one.
 */

/** The bytes as UTF-8 when they start with a UTF-16 byte order mark (either order), else the same bytes. A trailing odd byte is dropped. */
export function fromUtf16(bytes: Buffer): Buffer {
  const le = bytes[0] === 0xff && bytes[1] === 0xfe;
  if (!le && !(bytes[0] === 0xfe && bytes[1] === 0xff)) return bytes;
  const units = Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2)));
  if (!le) units.swap16();
  return Buffer.from(units.toString('utf16le'), 'utf8');
}
