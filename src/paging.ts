import { z } from 'zod';

/** One page of a keyset-paginated list. */
export interface Page<Item> {
  /** At most `limit` items, in the list's documented order. */
  readonly items: readonly Item[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** Page size: 20 when omitted, at most 100. */
export const pageLimitSchema = z.number().int().min(1).max(100).default(20);

/**
 * An opaque cursor: base64url of the JSON of the last row's sort key, checked
 * against `key` so a forged or foreign cursor is a ValidationError on `cursor`.
 */
export function cursorSchema<Key extends z.ZodType>(key: Key) {
  return z
    .string()
    .max(512)
    .transform((text, ctx) => {
      try {
        return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this list' });
        return z.NEVER;
      }
    })
    .pipe(key);
}

/** Encodes a sort key as an opaque cursor (see {@link cursorSchema}). */
export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Cuts the `limit + 1` rows a page statement fetched into a page: the extra row
 * only says that another page exists; the cursor is the last kept row's key.
 */
export function toPage<Row, Item>(
  rows: readonly Row[],
  limit: number,
  sortKey: (row: Row) => readonly unknown[],
  toItem: (row: Row) => Item,
): Page<Item> {
  const kept = rows.length > limit ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(sortKey(last)) : null,
  };
}
