import { z } from 'zod';
import { ValidationError, type ValidationIssue } from './errors.js';

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
