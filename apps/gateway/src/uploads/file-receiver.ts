import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { AppError, ErrorCode } from '@dataflow/shared';
import type { TextFacts } from './content-sniffing.js';

/** The multipart field that carries the file. */
export const fileField = 'file';

/** Room for the multipart framing around the file: a body declared larger than the limit plus this is refused before it is read. */
const framingBytes = 1024 * 1024;

export interface ReceivedFile extends TextFacts {
  /** The file name as the client sent it (not yet cleaned). */
  clientName: string;
  size: number;
  sha256: string;
}

export interface ReceiveOptions {
  /** Where to write the file; it must not exist. Whoever calls removes it after a failure. */
  destination: string;
  /** The most bytes to accept; a file that goes past it is cut off and refused with `tooLarge()`. */
  limitBytes: number;
  tooLarge: () => AppError;
  /** Checks the client's file name before the content is written; throwing refuses the upload. */
  checkName?: (clientName: string) => void;
}

const badRequest = (message: string) => new AppError(ErrorCode.BadRequest, message);

/** Counts, hashes and checks the bytes as they pass: UTF-8 validity (a BOM allowed) and NUL bytes. */
class Inspection extends Transform {
  private readonly hash = createHash('sha256');
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  size = 0;
  utf8 = true;
  nul = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    if (!this.nul && chunk.includes(0)) this.nul = true;
    if (this.utf8 && !this.nul) this.decode(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.utf8 && !this.nul) this.decode();
    callback();
  }

  facts(): Omit<ReceivedFile, 'clientName'> {
    return { size: this.size, sha256: this.hash.digest('hex'), utf8: this.utf8, nul: this.nul };
  }

  /** Once the text is known not to be UTF-8, the rest is not decoded. */
  private decode(chunk?: Buffer): void {
    try {
      if (chunk) this.decoder.decode(chunk, { stream: true });
      else this.decoder.decode();
    } catch {
      this.utf8 = false;
    }
  }
}

/** Refuses (400) a request whose body is not multipart/form-data. */
export function assertMultipart(headers: IncomingHttpHeaders): void {
  if (!/^multipart\/form-data\s*;/i.test(headers['content-type'] ?? '')) {
    throw badRequest(`Send the file as multipart/form-data, in a field named "${fileField}"`);
  }
}

function createParser(headers: IncomingHttpHeaders, limitBytes: number): busboy.Busboy {
  try {
    // busboy counts a file that reaches `fileSize` as cut off: one more byte lets a file of exactly the limit through.
    return busboy({ headers, defParamCharset: 'utf8', limits: { files: 1, fileSize: limitBytes + 1, fields: 20, fieldSize: 64 * 1024, parts: 30, headerPairs: 20 } });
  } catch (error) {
    throw badRequest(`The multipart body cannot be read: ${(error as Error).message}`);
  }
}

/**
 * Streams the one file of a multipart request to disk, hashing and checking it on the way; it is
 * never held in memory whole. The file must come in the field `file`; other fields are ignored.
 * A body declared too large is refused before it is read; one that turns out too large is cut off
 * at the limit. On a refusal the rest of the body is read and dropped, so that the client, still
 * sending, hears the answer. Any partial file is left at `destination` for the caller to remove.
 */
export async function receiveFile(request: Readable & { headers: IncomingHttpHeaders; complete?: boolean }, options: ReceiveOptions): Promise<ReceivedFile> {
  assertMultipart(request.headers);
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.limitBytes + framingBytes) throw options.tooLarge();
  const parser = createParser(request.headers, options.limitBytes);
  let refusal: Error | undefined;
  // The parser's events come from inside its own write: it is stopped once that write is over.
  const refuse = (error: Error) => {
    refusal ??= error;
    setImmediate(() => parser.destroy(error));
  };
  let textInFileField = false;
  let writing: Promise<ReceivedFile> | undefined;
  parser.on('file', (field, stream, info) => {
    // busboy leaves the name out when the part's header has none; the name check then refuses it.
    const clientName = info.filename ?? '';
    try {
      if (field !== fileField) throw badRequest(`The file must be sent in the field "${fileField}", not "${field}"`);
      options.checkName?.(clientName);
    } catch (error) {
      stream.resume();
      refuse(error as Error);
      return;
    }
    stream.once('limit', () => refuse(options.tooLarge()));
    const inspection = new Inspection();
    writing = pipeline(stream, inspection, createWriteStream(options.destination, { flags: 'wx', mode: 0o600 })).then(() => ({ clientName, ...inspection.facts() }));
    // The parser waits for its file to be read to the end: if writing stops, stop the parser too.
    writing.catch((error: Error) => parser.destroy(error));
  });
  parser.on('field', (field) => {
    if (field === fileField) textInFileField = true;
  });
  parser.on('filesLimit', () => refuse(badRequest('Send one file per request')));
  parser.on('partsLimit', () => refuse(badRequest('The multipart body has too many parts')));
  const parsed = new Promise<void>((resolve, reject) => {
    // `finish` comes once the body is parsed and the file stream read to its end.
    parser.once('finish', resolve);
    parser.on('error', reject);
    request.on('error', reject);
    request.once('close', () => request.complete === false && reject(badRequest('The upload was interrupted')));
  });
  request.pipe(parser);
  let unreadable: Error | undefined;
  try {
    await parsed;
  } catch (error) {
    unreadable = error as Error;
    request.unpipe(parser);
    request.resume();
    parser.destroy();
  }
  // Let the file stream settle before anyone removes what it wrote.
  const outcome = await writing?.then(
    (file) => ({ file }),
    (error: Error) => ({ error }),
  );
  if (refusal) throw refusal;
  if (outcome && 'error' in outcome) {
    // The disk failed, which is not the client's fault: a 500.
    if ((outcome.error as NodeJS.ErrnoException).syscall) throw outcome.error;
    unreadable ??= outcome.error;
  }
  if (unreadable) throw unreadable instanceof AppError ? unreadable : badRequest(`The multipart body cannot be read: ${unreadable.message}`);
  if (!outcome || !('file' in outcome)) {
    throw badRequest(textInFileField ? `The field "${fileField}" holds text, not a file: send it as a file (with a file name)` : `There is no file: send it in a multipart field named "${fileField}"`);
  }
  return outcome.file;
}
