import { AppError, ErrorCode, formatBytes, type UploadKind } from '@dataflow/shared';
import { extensionOf } from './file-names.js';
import type { RandomAccess } from './random-access.js';
import { readZipDirectory, type ZipDirectory, ZipFormatError } from './zip-directory.js';

interface UploadType {
  /** Lower case, without the dot; the first is the usual one. */
  extensions: string[];
  mimeType: string;
  /** What a file of this kind is, for messages. */
  label: string;
  text: boolean;
}

/** The kinds of file an upload may be (what the data server reads, and notes): how each is named, and what it holds. */
export const uploadTypes: Record<UploadKind, UploadType> = {
  csv: { extensions: ['csv'], mimeType: 'text/csv', label: 'CSV text', text: true },
  tsv: { extensions: ['tsv'], mimeType: 'text/tab-separated-values', label: 'TSV text', text: true },
  xlsx: { extensions: ['xlsx'], mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'an Excel workbook', text: false },
  parquet: { extensions: ['parquet'], mimeType: 'application/vnd.apache.parquet', label: 'a Parquet file', text: false },
  json: { extensions: ['json'], mimeType: 'application/json', label: 'JSON', text: true },
  ndjson: { extensions: ['ndjson', 'jsonl'], mimeType: 'application/x-ndjson', label: 'NDJSON', text: true },
  sqlite: { extensions: ['sqlite', 'sqlite3', 'db'], mimeType: 'application/vnd.sqlite3', label: 'an SQLite database', text: false },
  txt: { extensions: ['txt'], mimeType: 'text/plain', label: 'plain text', text: true },
  md: { extensions: ['md', 'markdown'], mimeType: 'text/markdown', label: 'Markdown', text: true },
};

const kindByExtension = new Map(Object.entries(uploadTypes).flatMap(([kind, type]) => type.extensions.map((extension) => [extension, kind as UploadKind])));
const allowedExtensions = [...kindByExtension.keys()].map((extension) => `.${extension}`).join(', ');

/** What the text-wide checks found while the file streamed in. */
export interface TextFacts {
  /** Valid UTF-8 throughout (a byte-order mark allowed). */
  utf8: boolean;
  nul: boolean;
}

/** When a workbook is refused as a zip bomb, from the sizes its directory declares: it would expand past `maxUncompressedBytes`, or more than `maxRatio` times over to more than `ratioFloorBytes`. */
export interface ZipLimits {
  maxUncompressedBytes: number;
  maxRatio: number;
  ratioFloorBytes: number;
}

/** Ten times the upload limit in all, or 200:1 past 100 MB. */
export const zipLimitsFor = (maxUploadBytes: number): ZipLimits => ({ maxUncompressedBytes: 10 * maxUploadBytes, maxRatio: 200, ratioFloorBytes: 100_000_000 });

export interface DetectedType {
  kind: UploadKind;
  mimeType: string;
}

const unsupported = (message: string) => new AppError(ErrorCode.UnsupportedMediaType, message);

/** The kind a file name claims by its extension; a name with no allowed extension is refused (415). */
export function claimedKind(name: string): UploadKind {
  const kind = kindByExtension.get(extensionOf(name));
  if (!kind) throw unsupported(`"${name}" cannot be uploaded: only CSV, TSV, Excel, Parquet, JSON, NDJSON, SQLite, text and Markdown files are accepted (${allowedExtensions})`);
  return kind;
}

/** What the first bytes say, for files that are none of the allowed kinds. */
const foreignSignatures: { bytes: Buffer; what: string; executable?: boolean }[] = [
  { bytes: Buffer.from('MZ'), what: 'a Windows executable (MZ header)', executable: true },
  { bytes: Buffer.from('\x7fELF', 'latin1'), what: 'an ELF executable', executable: true },
  ...['feedface', 'feedfacf', 'cefaedfe', 'cffaedfe', 'cafebabe'].map((hex) => ({ bytes: Buffer.from(hex, 'hex'), what: 'a Mach-O executable or Java class', executable: true })),
  { bytes: Buffer.from('%PDF-'), what: 'a PDF document' },
  { bytes: Buffer.from('1f8b', 'hex'), what: 'a gzip archive' },
  { bytes: Buffer.from('d0cf11e0a1b11ae1', 'hex'), what: 'a legacy Office file (such as .xls)' },
  { bytes: Buffer.from('377abcaf271c', 'hex'), what: 'a 7-Zip archive' },
  { bytes: Buffer.from('Rar!\x1a\x07', 'latin1'), what: 'a RAR archive' },
  { bytes: Buffer.from('89504e470d0a1a0a', 'hex'), what: 'a PNG image' },
  { bytes: Buffer.from('ffd8ff', 'hex'), what: 'a JPEG image' },
];

const sqliteMagic = Buffer.from('SQLite format 3\0', 'latin1');
const parquetMagic = Buffer.from('PAR1');
const zipMagics = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];

type Content =
  | { is: 'xlsx'; zip: ZipDirectory }
  | { is: 'parquet' | 'sqlite' | 'text' }
  /** None of the allowed kinds: `what` it is, and what to do about it. */
  | { is: 'foreign'; what: string; advice?: string };

/** What the bytes are, whatever the name says. */
async function sniff(file: RandomAccess, head: Buffer, facts: TextFacts): Promise<Content> {
  if (head.subarray(0, sqliteMagic.length).equals(sqliteMagic)) return { is: 'sqlite' };
  if (zipMagics.some((magic) => head.subarray(0, magic.length).equals(magic))) {
    let zip: ZipDirectory;
    try {
      zip = await readZipDirectory(file);
    } catch (error) {
      if (error instanceof ZipFormatError) return { is: 'foreign', what: `a zip archive that cannot be read: ${error.message}` };
      throw error;
    }
    const workbook = zip.entries.some((entry) => entry.name === '[Content_Types].xml') && zip.entries.some((entry) => entry.name.startsWith('xl/'));
    return workbook ? { is: 'xlsx', zip } : { is: 'foreign', what: 'a zip archive without the xl/ entries of a workbook' };
  }
  if (head.subarray(0, 4).equals(parquetMagic)) {
    const footer = file.size >= 12 ? await file.read(file.size - 4, 4) : Buffer.alloc(0);
    return footer.equals(parquetMagic) ? { is: 'parquet' } : { is: 'foreign', what: 'an incomplete Parquet file (no PAR1 footer)' };
  }
  if (facts.utf8 && !facts.nul) return { is: 'text' };
  const foreign = foreignSignatures.find((signature) => head.subarray(0, signature.bytes.length).equals(signature.bytes));
  if (foreign) return { is: 'foreign', what: foreign.what, advice: foreign.executable ? 'programs cannot be uploaded' : undefined };
  if (facts.nul) return { is: 'foreign', what: 'binary data (it holds NUL bytes)' };
  return { is: 'foreign', what: 'text in an encoding other than UTF-8', advice: 'save it as UTF-8' };
}

/** Whether text starts as JSON does: with `{` or `[`, after a byte-order mark and white space. */
function startsLikeJson(head: Buffer): boolean {
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return text.startsWith('{') || text.startsWith('[');
}

/** Why a workbook looks like a zip bomb, from what its directory declares; undefined when it does not. */
export function zipBombProblem(zip: ZipDirectory, fileSize: number, limits: ZipLimits): string | undefined {
  if (zip.compressedBytes > fileSize) return 'its entries overlap (they claim more compressed data than the file holds)';
  if (zip.uncompressedBytes > limits.maxUncompressedBytes) {
    return `it would expand to ${formatBytes(zip.uncompressedBytes)}, more than the ${formatBytes(limits.maxUncompressedBytes)} a workbook may hold`;
  }
  const ratio = zip.uncompressedBytes / Math.max(1, zip.compressedBytes);
  if (zip.uncompressedBytes > limits.ratioFloorBytes && ratio > limits.maxRatio) {
    return `it would expand ${Math.round(ratio)} times over, to ${formatBytes(zip.uncompressedBytes)} (more than ${limits.maxRatio} times is refused above ${formatBytes(limits.ratioFloorBytes)})`;
  }
  return undefined;
}

/**
 * The kind of an upload, from its content: magic bytes for the binary kinds (an xlsx is a zip
 * with `xl/` entries, a Parquet file starts and ends with PAR1, an SQLite database starts with
 * "SQLite format 3\0"), valid UTF-8 without NUL bytes for the text kinds (JSON and NDJSON must
 * also start with `{` or `[`). The name's extension must agree; a workbook whose directory
 * declares too much is refused as a zip bomb (413). Anything else is refused (415), saying what
 * the file is.
 */
export async function detectUploadType(name: string, file: RandomAccess, facts: TextFacts, zipLimits: ZipLimits): Promise<DetectedType> {
  const claimed = claimedKind(name);
  const type = uploadTypes[claimed];
  const head = await file.read(0, 4096);
  const content = await sniff(file, head, facts);
  const refuse = (what: string, advice?: string) => unsupported(`"${name}" is not ${type.label}: it is ${what}${advice ? `; ${advice}` : ''}`);
  if (content.is === 'foreign') throw refuse(content.what, content.advice);
  if (content.is !== (type.text ? 'text' : claimed)) {
    throw content.is === 'text' ? refuse('text') : refuse(uploadTypes[content.is].label, `name it .${uploadTypes[content.is].extensions[0]}`);
  }
  if ((claimed === 'json' || claimed === 'ndjson') && !startsLikeJson(head)) throw unsupported(`"${name}" is not ${type.label}: it must start with { or [`);
  if (content.is === 'xlsx') {
    const problem = zipBombProblem(content.zip, file.size, zipLimits);
    if (problem) throw new AppError(ErrorCode.PayloadTooLarge, `"${name}" was refused as a possible zip bomb: ${problem}`, { uncompressedBytes: content.zip.uncompressedBytes });
  }
  return { kind: claimed, mimeType: type.mimeType };
}
