/**
 * Escapes `\`, `%` and `_` so user text matches literally inside a LIKE/ILIKE
 * pattern (PostgreSQL's default escape character is the backslash).
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The ILIKE pattern for a case-insensitive substring match of `text`. */
export function containsPattern(text: string): string {
  return `%${escapeLike(text)}%`;
}

/**
 * True when pg_trgm can take a trigram from `term`: 3 letters or digits in a
 * row. A generic plan that reads a trigram index is safe only for such terms;
 * for any other it reads every entry (364 ms measured for 2 characters).
 */
export function hasTrigram(term: string): boolean {
  return /[\p{L}\p{N}]{3}/u.test(term);
}
