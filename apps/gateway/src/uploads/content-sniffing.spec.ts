import { isUtf8 } from 'node:buffer';
import ExcelJS from 'exceljs';
import { AppError } from '@dataflow/shared';
import { zipArchive, type ZipArchiveEntry } from '../../../../test/fixtures/zip-archive.js';
import { httpStatusFor } from '../errors/problem-details.js';
import { detectUploadType, zipBombProblem, zipLimitsFor } from './content-sniffing.js';
import { bytesAccess } from './random-access.js';
import { readZipDirectory, ZipFormatError } from './zip-directory.js';

const workbookEntries = (extra: ZipArchiveEntry[] = []): ZipArchiveEntry[] => [
  { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
  { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
  ...extra,
];

const facts = (bytes: Buffer) => ({ utf8: isUtf8(bytes), nul: bytes.includes(0) });
const limits = zipLimitsFor(1_000_000);
const detect = (name: string, bytes: Buffer | string) => {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  return detectUploadType(name, bytesAccess(buffer), facts(buffer), limits);
};

/** The refusal of `detect`, as the client will see it: its status and its words. */
async function refusalOf(name: string, bytes: Buffer | string): Promise<{ status: number; message: string }> {
  const error = await detect(name, bytes).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (error instanceof AppError) return { status: httpStatusFor(error.code), message: error.message };
  throw new Error(`expected a refusal of ${name}, got ${String(error)}`);
}

const sqlite = Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(100)]);
const parquet = Buffer.concat([Buffer.from('PAR1'), Buffer.from([0x15, 0x00, 0x15, 0x1c]), Buffer.from([8, 0, 0, 0]), Buffer.from('PAR1')]);
const windowsProgram = Buffer.concat([Buffer.from('MZ'), Buffer.from([0x90, 0, 3, 0, 0, 0, 4, 0]), Buffer.from('This program cannot be run in DOS mode')]);

describe('readZipDirectory', () => {
  it("reads a real workbook's entries and sizes without extracting it", async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Sheet').addRows([['a', 'b'], [1, 2]]);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const directory = await readZipDirectory(bytesAccess(bytes));
    expect(directory.entries.map((entry) => entry.name)).toEqual(expect.arrayContaining(['[Content_Types].xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']));
    expect(directory.compressedBytes).toBeLessThan(bytes.length);
    expect(directory.uncompressedBytes).toBeGreaterThan(directory.compressedBytes);
  });

  it('reads zip64 sizes and finds the end record behind a comment', async () => {
    const entries = workbookEntries([{ name: 'xl/huge.xml', data: Buffer.from('x'), declaredUncompressed: 6_000_000_000, declaredCompressed: 1 }]);
    const directory = await readZipDirectory(bytesAccess(zipArchive(entries, { zip64: true, comment: 'PK\x05\x06 in a comment' })));
    expect(directory.entries.at(-1)).toEqual({ name: 'xl/huge.xml', compressedSize: 1, uncompressedSize: 6_000_000_000 });
    expect(directory.uncompressedBytes).toBe(6_000_000_000 + 8 + 11);
  });

  it('refuses an archive that is cut short or is no archive at all', async () => {
    const whole = zipArchive(workbookEntries());
    await expect(readZipDirectory(bytesAccess(whole.subarray(0, whole.length - 10)))).rejects.toThrow(ZipFormatError);
    await expect(readZipDirectory(bytesAccess(Buffer.from('PK\x03\x04 and nothing else')))).rejects.toThrow(/end-of-directory/);
  });
});

describe('detectUploadType', () => {
  it.each([
    ['sales.csv', 'id,amount\n1,2.5\n', 'csv', 'text/csv'],
    ['bom.csv', '\uFEFFid;name\n1;Zürich\n', 'csv', 'text/csv'],
    ['scores.tsv', 'player\tscore\nann\t7\n', 'tsv', 'text/tab-separated-values'],
    ['items.json', '  \n[{"sku":"a"}]', 'json', 'application/json'],
    ['bom.json', '\uFEFF{"a":1}', 'json', 'application/json'],
    ['events.ndjson', '{"n":1}\n{"n":2}\n', 'ndjson', 'application/x-ndjson'],
    ['events.JSONL', '{"n":1}\n', 'ndjson', 'application/x-ndjson'],
    ['notes.txt', 'plain words, 数据\n', 'txt', 'text/plain'],
    ['README.md', '# Title\n', 'md', 'text/markdown'],
  ])('takes %s as %s text', async (name, content, kind, mimeType) => {
    expect(await detect(name, content)).toEqual({ kind, mimeType });
  });

  it('recognises the binary kinds by their magic bytes', async () => {
    expect(await detect('shop.sqlite', sqlite)).toEqual({ kind: 'sqlite', mimeType: 'application/vnd.sqlite3' });
    expect(await detect('shop.db', sqlite)).toMatchObject({ kind: 'sqlite' });
    expect(await detect('sales.parquet', parquet)).toEqual({ kind: 'parquet', mimeType: 'application/vnd.apache.parquet' });
    expect(await detect('budget.xlsx', zipArchive(workbookEntries()))).toEqual({ kind: 'xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  });

  it.each([
    ['data.csv', windowsProgram, /^"data\.csv" is not CSV text: it is a Windows executable \(MZ header\); programs cannot be uploaded$/],
    ['notes.txt', Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(16)]), /it is an ELF executable; programs cannot be uploaded/],
    ['budget.xlsx', windowsProgram, /is not an Excel workbook: it is a Windows executable/],
    ['shop.csv', sqlite, /^"shop\.csv" is not CSV text: it is an SQLite database; name it \.sqlite$/],
    ['sales.xlsx', 'id,amount\n1,2\n', /^"sales\.xlsx" is not an Excel workbook: it is text$/],
    ['sales.parquet', zipArchive(workbookEntries()), /is not a Parquet file: it is an Excel workbook; name it \.xlsx/],
    ['latin.csv', Buffer.from('city\nZ\xfcrich\n', 'latin1'), /it is text in an encoding other than UTF-8; save it as UTF-8/],
    ['blob.csv', Buffer.from([1, 2, 0, 4]), /it is binary data \(it holds NUL bytes\)/],
    ['report.csv', Buffer.from('%PDF-1.7\n\0'), /it is a PDF document/],
    ['words.json', 'hello', /^"words\.json" is not JSON: it must start with \{ or \[$/],
    ['docs.xlsx', zipArchive([{ name: 'word/document.xml', data: Buffer.from('<w/>') }]), /it is a zip archive without the xl\/ entries of a workbook/],
    ['cut.xlsx', zipArchive(workbookEntries()).subarray(0, 60), /it is a zip archive that cannot be read/],
    ['half.parquet', Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(20)]), /it is an incomplete Parquet file/],
    ['program.exe', windowsProgram, /^"program\.exe" cannot be uploaded: only CSV, TSV, Excel, Parquet, JSON, NDJSON, SQLite, text and Markdown files are accepted \(\.csv, \.tsv, \.xlsx/],
    ['noextension', 'a,b\n', /cannot be uploaded/],
  ])('refuses %s with 415 and says why', async (name, content, message) => {
    const refusal = await refusalOf(name, content);
    expect(refusal.status).toBe(415);
    expect(refusal.message).toMatch(message);
  });

  it('refuses a workbook whose entries would expand past ten times the upload limit as a zip bomb (413)', async () => {
    const bomb = zipArchive(workbookEntries([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.from('0'), declaredUncompressed: 10_000_001, declaredCompressed: 1 }]));
    expect(await refusalOf('bomb.xlsx', bomb)).toEqual({ status: 413, message: expect.stringMatching(/^"bomb\.xlsx" was refused as a possible zip bomb: it would expand to 10 MB, more than the 10 MB/) });
  });
});

describe('zipBombProblem', () => {
  const roomy = { maxUncompressedBytes: 10_000_000_000, maxRatio: 200, ratioFloorBytes: 100_000_000 };
  const directory = (compressedBytes: number, uncompressedBytes: number) => ({ entries: [], compressedBytes, uncompressedBytes });

  it('refuses more than 200:1 only past 100 MB', () => {
    expect(zipBombProblem(directory(500_000, 150_000_000), 600_000, roomy)).toMatch(/would expand 300 times over, to 150 MB/);
    expect(zipBombProblem(directory(1_000_000, 150_000_000), 1_100_000, roomy)).toBeUndefined();
    expect(zipBombProblem(directory(1_000, 90_000_000), 2_000, roomy)).toBeUndefined();
  });

  it('refuses entries that claim more compressed data than the file holds (overlapping entries)', () => {
    expect(zipBombProblem(directory(5_000, 10_000), 4_000, roomy)).toMatch(/entries overlap/);
  });
});
