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
