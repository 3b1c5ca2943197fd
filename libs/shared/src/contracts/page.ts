import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** One page of a list, newest or oldest first as the list says; `nextCursor` fetches the next, and is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** An opaque cursor from a previous page's `nextCursor`. */
export const OptionalCursor = () =>
  applyDecorators(IsString(), Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be a nextCursor from a previous page' }), IsOptional());

/** `limit`: 1 to `max` items per page. */
export const OptionalPageSize = (max = 100) => applyDecorators(IsInt({ message: `limit must be a whole number from 1 to ${max}` }), Min(1), Max(max), Type(() => Number), IsOptional());

/** Cursors are the key of the last item shown, as base64url JSON: opaque to clients, checked when they come back. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key in a cursor, or undefined when it is not one this API made with `length` parts. */
export function decodeCursor(cursor: string, length: number): (string | number)[] | undefined {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(key) && key.length === length && key.every((part) => typeof part === 'string' || typeof part === 'number') ? key : undefined;
  } catch {
    return undefined;
  }
}
