import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import type { Page, UploadDetailDto, UploadDto, UploadIngestionDto, UploadsUsageDto } from '@dataflow/shared';
import { eventually } from '@dataflow/shared/testing';
import { zipArchive } from '../fixtures/zip-archive.js';
import { DistributedPlatform } from './distributed-platform.js';
import { multipart, multipartType } from './multipart.js';

const maxBytes = 256_000;
const quotaBytes = 1_000_000;
const sha256 = (content: Buffer | string) => createHash('sha256').update(content).digest('hex');

/** `rows` sales rows after a header: id, region, amount. */
const salesCsv = (rows: number) => ['id,region,amount', ...Array.from({ length: rows }, (_, index) => `${index + 1},${['north', 'south'][index % 2]},${(index + 1) * 1.5}`)].join('\n') + '\n';

interface Problem {
  status: number;
  code: string;
  detail: string;
}

describe('file uploads (distributed)', () => {
  let platform: DistributedPlatform;
  let dataRoot: string;
  let fixtures: string;
  let admin: { authorization: string; id: string };
  let other: { authorization: string; id: string };
  const accepted: UploadDto[] = [];

  const send = (path: string, authorization: string, init: RequestInit = {}) =>
    fetch(`${platform.gatewayUrl}${path}`, { ...init, headers: { authorization, ...(init.headers as Record<string, string>) }, signal: AbortSignal.timeout(60_000) });

  const upload = (filename: string, content: Buffer | string, authorization = admin.authorization) =>
    send('/api/v1/files', authorization, { method: 'POST', headers: { 'content-type': multipartType }, body: multipart(filename, content) });

  async function uploaded(filename: string, content: Buffer | string, authorization = admin.authorization): Promise<UploadDto> {
    const response = await upload(filename, content, authorization);
    if (response.status !== 201) throw new Error(`${filename}: ${response.status} ${await response.text()}`);
    const dto = (await response.json()) as UploadDto;
    if (authorization === admin.authorization) accepted.push(dto);
    return dto;
  }

  async function problemOf(response: Response): Promise<Problem> {
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const { status, code, detail } = (await response.json()) as Problem;
    return { status, code, detail };
  }

  async function register(email: string): Promise<{ authorization: string; id: string }> {
    const response = await send('/api/v1/auth/register', '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'an uploads passphrase', name: email }),
    });
    if (response.status !== 201) throw new Error(`could not register ${email}: ${await response.text()}`);
    const { accessToken, user } = (await response.json()) as { accessToken: string; user: { id: string } };
    return { authorization: `Bearer ${accessToken}`, id: user.id };
  }

  /** Every file under a user's folder, relative to it. */
  async function filesOf(userId: string): Promise<string[]> {
    const entries = await readdir(join(dataRoot, userId), { recursive: true, withFileTypes: true }).catch(() => []);
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(join(dataRoot, userId).length + 1))
      .sort();
  }

  beforeAll(async () => {
    dataRoot = await mkdtemp(join(tmpdir(), 'dfc-uploads-'));
    fixtures = await mkdtemp(join(tmpdir(), 'dfc-upload-fixtures-'));
    platform = new DistributedPlatform({
      env: {
        REGISTRATION: 'open',
        MCP_CONFIG: 'test/fixtures/mcp-uploads.json',
        USER_DATA_ROOT: dataRoot,
        UPLOAD_MAX_BYTES: String(maxBytes),
        UPLOAD_QUOTA_BYTES: String(quotaBytes),
      },
    });
    await platform.start();
    const me = (await (await platform.api('/api/v1/auth/me')).json()) as { id: string };
    admin = { authorization: `Bearer ${platform.accessToken}`, id: me.id };
    other = await register('other-uploader@example.com');
  });

  afterAll(async () => {
    await platform?.stop();
    await rm(dataRoot, { recursive: true, force: true });
    await rm(fixtures, { recursive: true, force: true });
  });

  it('takes each allowed kind, detects it from the content, and stores it in the user folder', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Budget').addRows([['team', 'budget'], ['data', 100], ['web', 250]]);
    const database = new DatabaseSync(join(fixtures, 'shop.sqlite'));
    database.exec("CREATE TABLE customers (id INTEGER, name TEXT); INSERT INTO customers VALUES (1, 'Ann'), (2, 'Bo');");
    database.close();
    const duckdb = await DuckDBInstance.create(':memory:');
    const connection = await duckdb.connect();
    await connection.run(`COPY (SELECT range AS id, 'item ' || range AS label FROM range(25)) TO '${join(fixtures, 'items.parquet')}' (FORMAT parquet)`);
    connection.closeSync();
    duckdb.closeSync();
    const files: [string, Buffer, string, string][] = [
      ['sales.csv', Buffer.from(salesCsv(30)), 'csv', 'text/csv'],
      ['scores.tsv', Buffer.from('player\tscore\nann\t7\nbo\t9\n'), 'tsv', 'text/tab-separated-values'],
      ['items.json', Buffer.from('\uFEFF [{"sku":"a","price":2.5},{"sku":"b","price":4}]'), 'json', 'application/json'],
      ['events.ndjson', Buffer.from('{"kind":"click","n":1}\n{"kind":"view","n":2}\n'), 'ndjson', 'application/x-ndjson'],
      ['notes.txt', Buffer.from('Quarterly notes: 数据 and données\n'), 'txt', 'text/plain'],
      ['README.md', Buffer.from('# Sales\n\nWhat the columns mean.\n'), 'md', 'text/markdown'],
      ['budget.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()), 'xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      ['items.parquet', await readFile(join(fixtures, 'items.parquet')), 'parquet', 'application/vnd.apache.parquet'],
      ['shop.sqlite', await readFile(join(fixtures, 'shop.sqlite')), 'sqlite', 'application/vnd.sqlite3'],
    ];
    for (const [name, content, kind, mimeType] of files) {
      const dto = await uploaded(name, content);
      expect(dto).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name,
        size: content.length,
        sha256: sha256(content),
        mimeType,
        kind,
        storagePath: `uploads/${dto.id}/${name}`,
        uploadedAt: expect.any(String),
      });
      expect(sha256(await readFile(join(dataRoot, admin.id, dto.storagePath)))).toBe(sha256(content));
    }
  });

  it('previews the first 20 rows through the data server, and says why when it cannot', async () => {
    const sales = accepted.find((dto) => dto.name === 'sales.csv')!;
    const response = await send(`/api/v1/files/${sales.id}`, admin.authorization);
    expect(response.status).toBe(200);
    const detail = (await response.json()) as UploadDetailDto;
    expect(detail).toMatchObject(sales);
    expect(detail.previewError).toBeUndefined();
    expect(detail.preview!.columns.map((column) => column.name)).toEqual(['id', 'region', 'amount']);
    expect(detail.preview!.rowCount).toBe(30);
    expect(detail.preview!.rows).toHaveLength(20);
    expect(detail.preview!.rows[0]).toEqual({ id: 1, region: 'north', amount: 1.5 });

    const budget = (await (await send(`/api/v1/files/${accepted.find((dto) => dto.name === 'budget.xlsx')!.id}`, admin.authorization)).json()) as UploadDetailDto;
    expect(budget.preview).toMatchObject({ rowCount: 2, rows: [{ team: 'data', budget: 100 }, { team: 'web', budget: 250 }] });
    const items = (await (await send(`/api/v1/files/${accepted.find((dto) => dto.name === 'items.parquet')!.id}`, admin.authorization)).json()) as UploadDetailDto;
    expect(items.preview).toMatchObject({ rowCount: 25, rows: expect.arrayContaining([{ id: 0, label: 'item 0' }]) });
    // Parquet is columnar already: the data server's cache does not take it.
    expect(items.ingestion).toBeNull();
    for (const method of ['GET', 'POST', 'DELETE']) {
      const refused = await problemOf(await send(`/api/v1/files/${items.id}/ingestion`, admin.authorization, { method }));
      expect([refused.status, refused.detail]).toEqual([409, method === 'GET' ? expect.stringMatching(/not ingested into a columnar cache/) : 'PARQUET files are not ingested into the columnar cache: only CSV, TSV, JSON and NDJSON files are']);
    }

    const notes = await send(`/api/v1/files/${accepted.find((dto) => dto.name === 'notes.txt')!.id}`, admin.authorization);
    expect(notes.status).toBe(200);
    expect(await notes.json()).toMatchObject({ name: 'notes.txt', preview: null, previewError: expect.stringMatching(/no preview/) });
  });

  it('lists the uploads newest first, a page at a time', async () => {
    const seen: string[] = [];
    let cursor: string | null | undefined;
    do {
      const response = await send(`/api/v1/files?limit=4${cursor ? `&cursor=${cursor}` : ''}`, admin.authorization);
      expect(response.status).toBe(200);
      const page = (await response.json()) as Page<UploadDto>;
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(accepted.map((dto) => dto.id).reverse());
    expect((await send('/api/v1/files?cursor=not-one-of-ours', admin.authorization)).status).toBe(400);
    expect((await send('/api/v1/files?limit=0', admin.authorization)).status).toBe(400);
  });

  it('keeps names clean: no path leads out of the upload folder, and letters of any script stay', async () => {
    const cases: [string, string][] = [
      ['../../../../../etc/evil.csv', 'evil.csv'],
      ['..\\..\\windows\\win.csv', 'win.csv'],
      ['données été — 数据 (2024).csv', 'données été — 数据 (2024).csv'],
      ['rep\u202Eort\u0007\t<final>?.csv', 'report _final__.csv'],
      ['line\r\nbreak\u0000.csv', 'line break.csv'],
      ['.csv', 'upload.csv'],
      // 200 bytes of UTF-8 at most, the extension kept.
      [`${'長'.repeat(120)}.csv`, `${'長'.repeat(65)}.csv`],
    ];
    for (const [sent, kept] of cases) {
      const dto = await uploaded(sent, 'a,b\n1,2\n');
      expect([sent, dto.name, dto.storagePath]).toEqual([sent, kept, `uploads/${dto.id}/${kept}`]);
      expect((await stat(join(dataRoot, admin.id, dto.storagePath))).isFile()).toBe(true);
    }
    // Nothing landed beside the user's folder (but the data server's columnar cache, which it keeps there).
    expect((await readdir(dataRoot)).filter((name) => name !== '.columnar-cache')).toEqual([admin.id]);
  });

  it('refuses what it must with a 4xx that names the problem, and keeps nothing of it', async () => {
    const windowsProgram = Buffer.concat([Buffer.from('MZ'), Buffer.from([0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff]), randomBytes(2_000)]);
    const bomb = zipArchive(
      [
        { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
        { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
        { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(50_000_000, ' ') },
      ],
      { deflate: true },
    );
    expect(bomb.length).toBeLessThan(maxBytes);
    const tooBig = Buffer.from(salesCsv(20_000));
    expect(tooBig.length).toBeGreaterThan(maxBytes);
    const cases: [string, () => Promise<Response>, number, string, RegExp][] = [
      ['an empty file', () => upload('empty.csv', ''), 400, 'bad_request', /^"empty\.csv" is empty/],
      ['a file over the size limit', () => upload('big.csv', tooBig), 413, 'payload_too_large', /larger than the upload limit of 256 KB/],
      [
        'a file over the size limit, sent without a length',
        () =>
          send('/api/v1/files', admin.authorization, {
            method: 'POST',
            headers: { 'content-type': multipartType },
            body: new Blob([multipart('streamed.csv', tooBig)]).stream(),
            duplex: 'half',
          } as RequestInit),
        413,
        'payload_too_large',
        /larger than the upload limit of 256 KB/,
      ],
      ['a Windows program named .csv', () => upload('data.csv', windowsProgram), 415, 'unsupported_media_type', /^"data\.csv" is not CSV text: it is a Windows executable \(MZ header\); programs cannot be uploaded$/],
      ['a zip bomb named .xlsx', () => upload('report.xlsx', bomb), 413, 'payload_too_large', /^"report\.xlsx" was refused as a possible zip bomb: it would expand to 50 MB, more than the 2\.6 MB a workbook may hold$/],
      ['a type not on the list', () => upload('setup.exe', windowsProgram), 415, 'unsupported_media_type', /only CSV, TSV, Excel, Parquet, JSON, NDJSON, SQLite, text and Markdown/],
      ['an SQLite file named .csv', () => upload('shop.csv', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(500)])), 415, 'unsupported_media_type', /it is an SQLite database; name it \.sqlite/],
      ['text named .json that is not JSON', () => upload('data.json', 'id,amount\n'), 415, 'unsupported_media_type', /must start with \{ or \[/],
      [
        'a JSON body',
        () => send('/api/v1/files', admin.authorization, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"file": "a,b"}' }),
        400,
        'bad_request',
        /multipart\/form-data/,
      ],
      ['no body', () => send('/api/v1/files', admin.authorization, { method: 'POST' }), 400, 'bad_request', /multipart\/form-data/],
      [
        'a form without a file',
        () => send('/api/v1/files', admin.authorization, { method: 'POST', headers: { 'content-type': multipartType }, body: multipart('a.csv', 'a,b', 'document') }),
        400,
        'bad_request',
        /in the field "file", not "document"/,
      ],
    ];
    for (const [what, request, status, code, detail] of cases) {
      const problem = await problemOf(await request());
      expect([what, problem.status, problem.code]).toEqual([what, status, code]);
      expect([what, problem.detail]).toEqual([what, expect.stringMatching(detail)]);
    }
    const rows = await platform.database.query<{ storage_path: string }>('SELECT storage_path FROM uploads WHERE owner_id = $1 ORDER BY storage_path', [admin.id]);
    expect(rows.map((row) => row.storage_path)).toEqual(accepted.map((dto) => dto.storagePath).sort());
    expect(await filesOf(admin.id)).toEqual(accepted.map((dto) => dto.storagePath).sort());
    expect(await readdir(join(dataRoot, admin.id, 'uploads', '.incoming'))).toEqual([]);
  });

  it("answers 404, never 403, for another user's upload, and leaves it alone", async () => {
    const mine = accepted.find((dto) => dto.name === 'sales.csv')!;
    for (const init of [{}, { method: 'DELETE' }]) {
      const problem = await problemOf(await send(`/api/v1/files/${mine.id}`, other.authorization, init));
      expect([problem.status, problem.detail]).toEqual([404, 'There is no such upload']);
    }
    for (const path of ['/api/v1/files/not-a-uuid', '/api/v1/files/00000000-0000-4000-8000-000000000000']) {
      const problem = await problemOf(await send(path, admin.authorization));
      expect([problem.status, problem.detail]).toEqual([404, 'There is no such upload']);
    }
    expect(await (await send('/api/v1/files', other.authorization)).json()).toEqual({ items: [], nextCursor: null });
    expect((await send(`/api/v1/files/${mine.id}`, admin.authorization)).status).toBe(200);
    expect((await stat(join(dataRoot, admin.id, mine.storagePath))).isFile()).toBe(true);
  });

  it('lets an API key use the files routes only with the files scope', async () => {
    const makeKey = async (scopes: string[]) =>
      `Bearer ${((await (await platform.api('/api/v1/api-keys', { method: 'POST', body: JSON.stringify({ name: scopes.join(' '), scopes }) })).json()) as { key: string }).key}`;
    const files = await makeKey(['files']);
    const reader = await makeKey(['conversations:read']);
    expect((await send('/api/v1/files', files)).status).toBe(200);
    const dto = await uploaded('by-key.csv', 'a\n1\n', files);
    accepted.push(dto);
    const refused = await problemOf(await upload('no-scope.csv', 'a\n1\n', reader));
    expect([refused.status, refused.detail]).toEqual([403, 'This API key lacks the files scope']);
    expect((await send('/api/v1/files', '')).status).toBe(401);
  });

  it("ingests an uploaded CSV into the data server's columnar cache as it is previewed, outside the user's folder, and drops it with the file", async () => {
    // cache_status is read-only but not idempotent, so the broker's analysis cache never answers it.
    const status = async () => {
      const response = await send('/api/v1/mcp/tools/data__cache_status/call', admin.authorization, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(response.status).toBe(200);
      return ((await response.json()) as { structuredContent: { files: { path: string; cached: boolean }[]; contents: string[] } }).structuredContent;
    };
    const dto = await uploaded('ingested.csv', salesCsv(500));
    const detail = async () => (await (await send(`/api/v1/files/${dto.id}`, admin.authorization)).json()) as UploadDetailDto;
    const ingestion = async (method = 'GET') => {
      const response = await send(`/api/v1/files/${dto.id}/ingestion`, admin.authorization, { method });
      expect(response.status).toBe(method === 'POST' ? 202 : 200);
      return (await response.json()) as UploadIngestionDto;
    };
    // The preview starts the ingestion; the upload's detail, and its ingestion, say where it stands.
    expect((await detail()).ingestion?.state).toMatch(/^(hashing|queued|ingesting|ingested)$/);
    await eventually(async () => expect((await detail()).ingestion).toEqual({ state: 'ingested', progress: 1 }));
    expect(await ingestion()).toEqual({ state: 'ingested', progress: 1 });
    // Nothing runs to be cancelled, and starting it again finds it done.
    expect(await ingestion('DELETE')).toEqual({ state: 'ingested', progress: 1 });
    expect(await ingestion('POST')).toEqual({ state: 'ingested', progress: 1 });
    expect((await send(`/api/v1/files/${dto.id}/ingestion`, other.authorization)).status).toBe(404);
    // The space the cache takes shows beside the quota.
    const usage = (await (await send('/api/v1/files/usage', admin.authorization)).json()) as UploadsUsageDto;
    expect(usage).toEqual({ usedBytes: expect.any(Number), quotaBytes, cache: { bytes: expect.any(Number), limitBytes: 2e9 } });
    expect(usage.usedBytes).toBeGreaterThanOrEqual(dto.size);
    expect(usage.cache!.bytes).toBeGreaterThan(0);
    expect((await status()).files.find((file) => file.path === dto.storagePath)?.cached).toBe(true);
    // The cache holds the content by the sha256 the upload reports.
    expect((await status()).contents).toContain(dto.sha256);
    expect(await filesOf(admin.id)).not.toContainEqual(expect.stringMatching(/columnar/));
    expect(await readdir(join(dataRoot, '.columnar-cache', admin.id))).toContain('columnar.duckdb');
    expect((await send(`/api/v1/files/${dto.id}`, admin.authorization, { method: 'DELETE' })).status).toBe(204);
    accepted.splice(accepted.indexOf(dto), 1);
    await eventually(async () => expect((await status()).contents).not.toContain(dto.sha256));
  });

  it('deletes the record and the file, folder and all', async () => {
    const dto = await uploaded('short-lived.csv', 'a\n1\n');
    const folder = join(dataRoot, admin.id, 'uploads', dto.id);
    expect((await stat(folder)).isDirectory()).toBe(true);
    expect((await send(`/api/v1/files/${dto.id}`, admin.authorization, { method: 'DELETE' })).status).toBe(204);
    accepted.splice(accepted.indexOf(dto), 1);
    await expect(stat(folder)).rejects.toThrow(/ENOENT/);
    expect((await send(`/api/v1/files/${dto.id}`, admin.authorization)).status).toBe(404);
    expect((await send(`/api/v1/files/${dto.id}`, admin.authorization, { method: 'DELETE' })).status).toBe(404);
    expect(await platform.database.query('SELECT 1 FROM uploads WHERE id = $1', [dto.id])).toEqual([]);
  });

  it('keeps each user within the quota, even when uploads race', async () => {
    const racer = await register('racer@example.com');
    const content = (index: number) => `id,text\n${index},${'x'.repeat(240_000)}\n`;
    const statuses = await Promise.all(Array.from({ length: 5 }, (_, index) => upload(`part-${index}.csv`, content(index), racer.authorization).then((response) => response.status)));
    expect(statuses.sort()).toEqual([201, 201, 201, 201, 413]);
    const problem = await problemOf(await upload('one-more.csv', content(9), racer.authorization));
    expect([problem.status, problem.code]).toEqual([413, 'payload_too_large']);
    expect(problem.detail).toMatch(/does not fit in your upload quota of 1 MB: your uploads take up 960.* already/);
    const [{ used }] = await platform.database.query<{ used: string }>('SELECT sum(size) AS used FROM uploads WHERE owner_id = $1', [racer.id]);
    expect(Number(used)).toBeLessThanOrEqual(quotaBytes);
    expect(await filesOf(racer.id)).toHaveLength(4);
    expect(await readdir(join(dataRoot, racer.id, 'uploads', '.incoming'))).toEqual([]);
  });

  it('describes the upload body in the OpenAPI document', async () => {
    const document = (await (await platform.api('/api/openapi.json')).json()) as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>> };
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/files', '/api/v1/files/{id}']));
    expect(document.paths['/api/v1/files']!.post!.requestBody!.content['multipart/form-data']!.schema).toMatchObject({
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    });
  });
});
