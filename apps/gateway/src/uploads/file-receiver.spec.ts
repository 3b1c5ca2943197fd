import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AppError, ErrorCode } from '@dataflow/shared';
import { receiveFile, type ReceiveOptions } from './file-receiver.js';

const boundary = '----dataflow-test-boundary';

interface Part {
  field: string;
  filename?: string;
  content: Buffer | string;
}

function multipart(parts: Part[], { close = true } = {}): Buffer {
  const pieces = parts.flatMap(({ field, filename, content }) => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"${filename === undefined ? '' : `; filename="${filename}"`}\r\n`),
    Buffer.from(filename === undefined ? '\r\n' : 'Content-Type: application/octet-stream\r\n\r\n'),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from('\r\n'),
  ]);
  return Buffer.concat([...pieces, Buffer.from(close ? `--${boundary}--\r\n` : '')]);
}

/** A request as the HTTP server hands it over: headers, and the body in small chunks. */
function requestOf(body: Buffer, headers: IncomingHttpHeaders = {}): Readable & { headers: IncomingHttpHeaders; complete: boolean } {
  const chunks = Array.from({ length: Math.ceil(body.length / 1000) }, (_, index) => body.subarray(index * 1000, (index + 1) * 1000));
  const request = Object.assign(Readable.from(chunks), {
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...headers },
    complete: false,
  });
  request.once('end', () => (request.complete = true));
  return request;
}

const tooLarge = () => new AppError(ErrorCode.PayloadTooLarge, 'too large');

describe('receiveFile', () => {
  let folder: string;
  let destination: string;
  const options = (extra: Partial<ReceiveOptions> = {}): ReceiveOptions => ({ destination, limitBytes: 10_000, tooLarge, ...extra });

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'dfc-receive-'));
    destination = join(folder, 'incoming.part');
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  async function refusal(request: Readable & { headers: IncomingHttpHeaders }, extra: Partial<ReceiveOptions> = {}): Promise<AppError> {
    const error = await receiveFile(request, options(extra)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    if (!(error instanceof AppError)) throw new Error(`expected a refusal, got ${String(error)}`);
    return error;
  }

  it('streams the file to disk with its size, SHA-256, UTF-8 name and text facts', async () => {
    const content = `\uFEFFcity,note\nZürich,${'x'.repeat(5000)}\n`;
    const received = await receiveFile(requestOf(multipart([{ field: 'note', content: 'ignored' }, { field: 'file', filename: 'données.csv', content }])), options());
    expect(received).toEqual({
      clientName: 'données.csv',
      size: Buffer.byteLength(content),
      sha256: createHash('sha256').update(content).digest('hex'),
      utf8: true,
      nul: false,
    });
    expect(await readFile(destination, 'utf8')).toBe(content);
  });

  it('notes content that is not UTF-8, or holds NUL bytes', async () => {
    const latin = await receiveFile(requestOf(multipart([{ field: 'file', filename: 'a.csv', content: Buffer.from('Z\xfcrich', 'latin1') }])), options());
    expect(latin).toMatchObject({ utf8: false, nul: false });
    await rm(destination);
    const binary = await receiveFile(requestOf(multipart([{ field: 'file', filename: 'b.csv', content: Buffer.from([65, 0, 66]) }])), options());
    expect(binary).toMatchObject({ nul: true, size: 3 });
  });

  it('takes a file of exactly the limit, and cuts off one byte more', async () => {
    expect((await receiveFile(requestOf(multipart([{ field: 'file', filename: 'a.txt', content: 'a'.repeat(10_000) }])), options())).size).toBe(10_000);
    await rm(destination);
    expect((await refusal(requestOf(multipart([{ field: 'file', filename: 'a.txt', content: 'a'.repeat(10_001) }])))).message).toBe('too large');
    await rm(destination);
    // Streaming stops at the limit: what was written (for the caller to remove) is not the whole file.
    expect((await refusal(requestOf(multipart([{ field: 'file', filename: 'a.txt', content: 'a'.repeat(100_000) }])))).message).toBe('too large');
    expect((await stat(destination)).size).toBeLessThanOrEqual(10_001);
  });

  it('refuses a body declared far larger than the limit before reading it', async () => {
    const request = requestOf(multipart([{ field: 'file', filename: 'a.txt', content: 'a' }]), { 'content-length': String(50_000_000) });
    expect((await refusal(request)).message).toBe('too large');
    expect(request.readableDidRead).toBe(false);
    await expect(stat(destination)).rejects.toThrow(/ENOENT/);
  });

  it.each([
    ['no content type', { 'content-type': undefined }, multipart([]), /^Send the file as multipart\/form-data, in a field named "file"$/],
    ['JSON', { 'content-type': 'application/json' }, Buffer.from('{"file":"x"}'), /multipart\/form-data/],
    ['a form without a boundary', { 'content-type': 'multipart/form-data; charset=utf-8' }, multipart([]), /cannot be read: Multipart: Boundary not found/],
  ])('refuses %s with 400', async (_case, headers, body, message) => {
    const error = await refusal(requestOf(body, headers));
    expect([error.code, error.message]).toEqual([ErrorCode.BadRequest, expect.stringMatching(message)]);
  });

  it.each([
    ['no file at all', [{ field: 'title', content: 'x' }], /^There is no file: send it in a multipart field named "file"$/],
    ['the file as a text field', [{ field: 'file', content: 'a,b' }], /holds text, not a file/],
    ['the file in another field', [{ field: 'upload', filename: 'a.csv', content: 'a,b' }], /must be sent in the field "file", not "upload"/],
    ['two files', [{ field: 'file', filename: 'a.csv', content: 'a' }, { field: 'file', filename: 'b.csv', content: 'b' }], /one file per request/],
  ])('refuses %s with 400', async (_case, parts, message) => {
    const error = await refusal(requestOf(multipart(parts)));
    expect([error.code, error.message]).toEqual([ErrorCode.BadRequest, expect.stringMatching(message)]);
  });

  it('refuses a body that ends before the form does', async () => {
    const error = await refusal(requestOf(multipart([{ field: 'file', filename: 'a.csv', content: 'a,b\n'.repeat(500) }], { close: false })));
    expect([error.code, error.message]).toEqual([ErrorCode.BadRequest, expect.stringMatching(/cannot be read: Unexpected end of form/)]);
  });

  it('refuses a name the check refuses, writing nothing', async () => {
    const refused = new AppError(ErrorCode.UnsupportedMediaType, 'not that one');
    const error = await refusal(requestOf(multipart([{ field: 'file', filename: 'x.exe', content: 'MZ' }])), {
      checkName: (name) => {
        if (name === 'x.exe') throw refused;
      },
    });
    expect(error).toBe(refused);
    await expect(stat(destination)).rejects.toThrow(/ENOENT/);
  });
});
