/** Bytes for people, in decimal units as the server's limits are set: 200 MB, 1.5 GB, 512 KB, 12 bytes. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [['GB', 1e9], ['MB', 1e6], ['KB', 1e3]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}
