/** The most a stored file name may take, in UTF-8 bytes: well inside the 255 of common filesystems. */
export const maxFileNameBytes = 200;

/** Control characters, bidirectional overrides (which make `exe.csv` show as `vsc.exe`), the BOM, and line or paragraph separators. */
const invisible = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u2028\u2029]/gu;
/** Reserved on Windows or special in shells. */
const reserved = /[<>:"|?*]/g;
/** Device names Windows will not let a file have, whatever its extension. */
const deviceName = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;
/** An extension kept whole when a long name is shortened. */
const shortExtension = /\.[^.]{1,16}$/;

/**
 * A file name that is safe to store and to show: the last part of whatever path the client sent,
 * without invisible or reserved characters, leading dots (no hidden files, no `..`), trailing
 * dots or spaces, shortened to {@link maxFileNameBytes} with its extension kept. Letters of any
 * script stay. Never empty: `fallback` stands in for a name with nothing left.
 */
export function sanitizeFileName(raw: string | undefined, fallback = 'upload'): string {
  let name = (raw ?? '').normalize('NFC').split(/[/\\]/).pop() ?? '';
  name = name.replace(/\s+/gu, ' ').replace(invisible, '').replace(reserved, '_').trim();
  const leadingDots = /^[.\s]+/.exec(name)?.[0] ?? '';
  name = name.slice(leadingDots.length).replace(/[.\s]+$/, '');
  // ".csv" was an extension with no name before it.
  if (leadingDots && name && !name.includes('.')) name = `${fallback}.${name}`;
  if (deviceName.test(name)) name = `_${name}`;
  return shorten(name, maxFileNameBytes) || fallback;
}

function shorten(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const extension = shortExtension.exec(name)?.[0] ?? '';
  const stem = Array.from(name.slice(0, name.length - extension.length));
  while (stem.length > 0 && Buffer.byteLength(stem.join('') + extension) > maxBytes) stem.pop();
  const kept = stem.join('').replace(/[.\s]+$/, '');
  return kept ? `${kept}${extension}` : '';
}

/** The extension, lower case and without its dot; '' when the name has none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}
