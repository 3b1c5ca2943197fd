import { open } from 'node:fs/promises';

/** Reads parts of a file (or of bytes in memory) by position: what sniffing needs, without loading it whole. */
export interface RandomAccess {
  readonly size: number;
  /** Up to `length` bytes from `position`; fewer at the end. */
  read(position: number, length: number): Promise<Buffer>;
}

export function bytesAccess(bytes: Buffer): RandomAccess {
  return { size: bytes.length, read: async (position, length) => bytes.subarray(position, position + length) };
}

/** Opens a file for reading by position for the length of `work`. */
export async function withFileAccess<T>(path: string, work: (file: RandomAccess) => Promise<T>): Promise<T> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return await work({
      size,
      read: async (position, length) => {
        const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - position)));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        return buffer.subarray(0, bytesRead);
      },
    });
  } finally {
    await handle.close();
  }
}
