import type { RandomAccess } from './random-access.js';

/** One entry of a zip archive as its central directory declares it. */
export interface ZipEntry {
  /** As stored (ASCII names read as they are; others as Latin-1, which is enough to compare ASCII paths). */
  name: string;
  compressedSize: number;
  uncompressedSize: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  compressedBytes: number;
  uncompressedBytes: number;
}

/** A zip archive that cannot be read: truncated, spanned over several disks, or malformed. */
export class ZipFormatError extends Error {}

const endOfDirectory = { signature: 0x06054b50, size: 22 } as const;
const zip64Locator = { signature: 0x07064b50, size: 20 } as const;
const zip64End = { signature: 0x06064b50, size: 56 } as const;
const directoryEntry = { signature: 0x02014b50, size: 46 } as const;
const maxCommentBytes = 0xffff;
/** A workbook has tens of entries; beyond these the archive is refused rather than read. */
const maxEntries = 100_000;
const maxDirectoryBytes = 32 * 1024 * 1024;

function safeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError(`the ${what} is out of range`);
  return Number(value);
}

/**
 * Reads a zip archive's central directory, without extracting anything: the entries and the sizes
 * they declare, compressed and uncompressed (zip64 included). Sizes are what the archive says;
 * an archive can lie about them, which only extraction would find out.
 */
export async function readZipDirectory(file: RandomAccess): Promise<ZipDirectory> {
  const tailLength = Math.min(file.size, endOfDirectory.size + maxCommentBytes);
  const tailStart = file.size - tailLength;
  const tail = await file.read(tailStart, tailLength);
  let at = -1;
  for (let index = tail.length - endOfDirectory.size; index >= 0; index--) {
    // The record ends the file: its comment runs exactly to the end.
    if (tail.readUInt32LE(index) === endOfDirectory.signature && index + endOfDirectory.size + tail.readUInt16LE(index + 20) === tail.length) {
      at = index;
      break;
    }
  }
  if (at < 0) throw new ZipFormatError('it has no end-of-directory record (truncated, or not a zip archive)');
  const end = tail.subarray(at, at + endOfDirectory.size);
  const endOffset = tailStart + at;
  if (end.readUInt16LE(4) !== 0 || end.readUInt16LE(6) !== 0) throw new ZipFormatError('it spans several disks');
  let count = end.readUInt16LE(10);
  let directorySize = end.readUInt32LE(12);
  let directoryOffset = end.readUInt32LE(16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = endOffset < zip64Locator.size ? Buffer.alloc(0) : await file.read(endOffset - zip64Locator.size, zip64Locator.size);
    if (locator.length < zip64Locator.size || locator.readUInt32LE(0) !== zip64Locator.signature) {
      throw new ZipFormatError('its zip64 locator is missing');
    }
    const record = await file.read(safeNumber(locator.readBigUInt64LE(8), 'zip64 record offset'), zip64End.size);
    if (record.length < zip64End.size || record.readUInt32LE(0) !== zip64End.signature) throw new ZipFormatError('its zip64 end record is missing');
    count = safeNumber(record.readBigUInt64LE(32), 'entry count');
    directorySize = safeNumber(record.readBigUInt64LE(40), 'directory size');
    directoryOffset = safeNumber(record.readBigUInt64LE(48), 'directory offset');
  }
  if (count > maxEntries || directorySize > maxDirectoryBytes) throw new ZipFormatError(`it has more than ${maxEntries} entries`);
  if (directoryOffset + directorySize > endOffset) throw new ZipFormatError('its central directory lies outside the file');
  const directory = await file.read(directoryOffset, directorySize);
  const entries: ZipEntry[] = [];
  let compressedBytes = 0;
  let uncompressedBytes = 0;
  for (let position = 0, index = 0; index < count; index++) {
    if (position + directoryEntry.size > directory.length || directory.readUInt32LE(position) !== directoryEntry.signature) {
      throw new ZipFormatError('its central directory is damaged');
    }
    const nameLength = directory.readUInt16LE(position + 28);
    const extraLength = directory.readUInt16LE(position + 30);
    const commentLength = directory.readUInt16LE(position + 32);
    const next = position + directoryEntry.size + nameLength + extraLength + commentLength;
    if (next > directory.length) throw new ZipFormatError('its central directory is damaged');
    const name = directory.toString('latin1', position + directoryEntry.size, position + directoryEntry.size + nameLength);
    const sizes = zip64Sizes(
      directory.subarray(position + directoryEntry.size + nameLength, position + directoryEntry.size + nameLength + extraLength),
      directory.readUInt32LE(position + 20),
      directory.readUInt32LE(position + 24),
    );
    entries.push({ name, ...sizes });
    compressedBytes += sizes.compressedSize;
    uncompressedBytes += sizes.uncompressedSize;
    position = next;
  }
  return { entries, compressedBytes, uncompressedBytes };
}

/** The sizes of an entry: a field of all ones means the real value is in the zip64 extra field (id 1), in a fixed order. */
function zip64Sizes(extra: Buffer, compressed: number, uncompressed: number): { compressedSize: number; uncompressedSize: number } {
  if (compressed !== 0xffffffff && uncompressed !== 0xffffffff) return { compressedSize: compressed, uncompressedSize: uncompressed };
  for (let position = 0; position + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(position);
    const length = extra.readUInt16LE(position + 2);
    if (id === 0x0001) {
      let field = position + 4;
      const read = (what: string) => {
        if (field + 8 > position + 4 + length || field + 8 > extra.length) throw new ZipFormatError('a zip64 field is missing');
        const value = safeNumber(extra.readBigUInt64LE(field), what);
        field += 8;
        return value;
      };
      const uncompressedSize = uncompressed === 0xffffffff ? read('uncompressed size') : uncompressed;
      const compressedSize = compressed === 0xffffffff ? read('compressed size') : compressed;
      return { compressedSize, uncompressedSize };
    }
    position += 4 + length;
  }
  throw new ZipFormatError('a zip64 field is missing');
}
