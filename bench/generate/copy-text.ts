/**
 * PostgreSQL COPY text format: tab-separated columns, `\N` for null, one row a
 * line, and backslash, tab, newline and carriage return escaped.
 */

/** The text-format null marker. */
export const NULL = '\\N';

const special = /[\\\t\n\r]/;

/** A value escaped for COPY text format (word lists are checked once instead; see assertCopySafe). */
export function copyEscape(value: string): string {
  if (!special.test(value)) return value;
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\t/g, '\\t')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

/** Throws when a word list holds a character COPY text format would need escaped. */
export function assertCopySafe(values: readonly string[], what: string): void {
  for (const value of values)
    if (special.test(value))
      throw new Error(`${what} holds a value COPY cannot take raw: ${value}`);
}
