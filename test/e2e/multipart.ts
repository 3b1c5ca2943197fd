/** Multipart bodies as clients send them, built by hand so that tests control every byte (names, fields). */

const boundary = '----dataflow-e2e-upload';

/** The Content-Type of a body from `multipart`. */
export const multipartType = `multipart/form-data; boundary=${boundary}`;

/**
 * A multipart body with one part. The file name goes as raw UTF-8 in quotes, as browsers send it,
 * or (names with control characters, which a header cannot carry raw) percent-encoded as `filename*`.
 */
export function multipart(filename: string, content: Buffer | string, field = 'file'): Buffer {
  const name = /\p{Cc}/u.test(filename)
    ? `filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*!]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`)}`
    : `filename="${filename.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; ${name}\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}
