import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { AppError } from '../errors/app-error.js';
import { ErrorCode } from '../errors/error-code.js';

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

/** A cursor a client made up, or one from another list. */
export const foreignCursor = () => new AppError(ErrorCode.ValidationFailed, 'cursor is not one this list gave out', { field: 'cursor' });

/**
 * Lists ordered by a `seq` column (a bigint identity) page with the last row's seq. This is the
 * seq in `cursor`, as a string (Postgres bigint); undefined without a cursor.
 */
export function seqFromCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const seq = decodeCursor(cursor, 1)?.[0];
  if (typeof seq !== 'string' || !/^\d{1,19}$/.test(seq)) throw foreignCursor();
  return seq;
}

/** A page from `limit + 1` rows ordered by seq: the first `limit`, and a cursor past them when there are more. */
export function seqPage<Row extends { seq: string }, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item): Page<Item> {
  const items = rows.slice(0, limit);
  return { items: items.map(toItem), nextCursor: rows.length > limit ? encodeCursor([items.at(-1)!.seq]) : null };
}
