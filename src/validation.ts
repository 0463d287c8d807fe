import { z } from 'zod';
import { ValidationError, type ValidationIssue } from './errors.js';

/**
 * True when `value` can be stored as PostgreSQL text and read back unchanged:
 * no NUL (`\u0000`, which text cannot hold: the server refuses the statement)
 * and no lone UTF-16 surrogate (the driver would encode it as U+FFFD, so the
 * stored value would silently differ from the one given).
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !loneSurrogate.test(value);
}

// With the u flag a surrogate pair is one code point, so \p{Cs} matches only a lone half.
const loneSurrogate = /\p{Cs}/u;

/**
 * The one text rule of every string input of both scopes (names, notes,
 * search terms, emails, phone numbers, cursors, passwords): refuses what
 * {@link isStorableText} refuses, naming the field, before any other check;
 * then normalises to NFC, so a name typed with a decomposed `é` is stored,
 * and searched, as the composed one. Length limits chained after it count
 * the NFC form. `{ nfc: false }` keeps the exact code points (passwords: a
 * hash compares bytes, and changing them would lock out existing accounts).
 *
 * @example
 * text().trim().min(1).max(200) // a required name
 */
export function text(options: { nfc?: boolean } = {}) {
  const checked = z.string().refine(isStorableText, {
    message: 'must not contain NUL (\\u0000) or a lone UTF-16 surrogate',
    abort: true,
  });
  return options.nfc === false ? checked : checked.normalize('NFC');
}

/** A row id: a positive 32-bit integer (every id column is `integer`). */
export const idSchema = z.number().int().positive().max(2_147_483_647);

/**
 * Zod issues as ValidationIssues, each naming its field by its dotted path
 * after `prefix`; an unknown key of a strict object becomes one issue naming
 * that key (zod reports it on the parent, which would name no field).
 */
export function toValidationIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): ValidationIssue[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path].map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: [...path, key].join('.'),
        message: 'is not a field of this input',
      }));
    }
    return [{ field: path.length > 0 ? path.join('.') : 'input', message: issue.message }];
  });
}

/**
 * Parses a public input with its zod schema; on failure throws a ValidationError
 * whose issues name every bad field by its dotted path. `field` names a
 * positional argument (`id`, `pets`), so its issues read `id` or `pets.0.name`.
 */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  field?: string,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    toValidationIssues(result.error.issues, field === undefined ? [] : [field]),
    { cause: result.error },
  );
}
