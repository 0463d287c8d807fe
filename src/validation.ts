import type { z } from 'zod';
import { ValidationError } from './errors.js';

/**
 * Parses a public input with its zod schema; on failure throws a ValidationError
 * whose issues name every bad field by its dotted path.
 */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join('.') : 'input',
      message: issue.message,
    })),
    { cause: result.error },
  );
}
