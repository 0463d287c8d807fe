import type { Interceptor, QueryResultRow } from 'slonik';
import { SchemaValidationError } from 'slonik';

/** One statement as it was sent, with its timing; passed to `onQuery`. */
export interface QueryEvent {
  /** The SQL text sent to the server. */
  readonly sql: string;
  /** The bound parameter values. */
  readonly values: readonly unknown[];
  /** The prepared-statement name, when the statement is prepared. */
  readonly name: string | undefined;
  /** Wall time from send to result, in milliseconds. */
  readonly durationMs: number;
  /** Rows returned or changed; 0 when the statement failed. */
  readonly rowCount: number;
  /** True when the statement failed. */
  readonly failed: boolean;
}

/** Password hashes are bound values of a few statements; they never reach a listener. */
function redacted(values: readonly unknown[]): readonly unknown[] {
  const isHash = (value: unknown) => typeof value === 'string' && value.startsWith('scrypt$');
  return values.some(isHash)
    ? values.map((value) => (isHash(value) ? '[redacted]' : value))
    : values;
}

/** Times every statement and reports it to `onQuery`, with password hashes redacted. */
export function createTimingInterceptor(onQuery: (event: QueryEvent) => void): Interceptor {
  const started = new WeakMap<object, number>();
  return {
    name: 'vetalyze-timing',
    beforeQueryExecution: (context) => {
      started.set(context.sandbox, performance.now());
      return null;
    },
    afterQueryExecution: (context, query, result) => {
      onQuery({
        sql: query.sql,
        values: redacted(query.values),
        name: query.name,
        durationMs: performance.now() - (started.get(context.sandbox) ?? performance.now()),
        rowCount: result.rowCount,
        failed: false,
      });
      return null;
    },
    queryExecutionError: (context, query) => {
      onQuery({
        sql: query.sql,
        values: redacted(query.values),
        name: query.name,
        durationMs: performance.now() - (started.get(context.sandbox) ?? performance.now()),
        rowCount: 0,
        failed: true,
      });
      return null;
    },
  };
}

/**
 * Checks every result row against the statement's `sql.type(schema)`; slonik
 * itself validates nothing without this. On by default outside production.
 */
export function createRowValidationInterceptor(): Interceptor {
  return {
    name: 'vetalyze-row-validation',
    transformRow: (context, query, row) => {
      const parser = context.resultParser;
      if (!parser) return row;
      const result = parser['~standard'].validate(row);
      if (result instanceof Promise) throw new Error('row schemas must be synchronous');
      if (result.issues) throw new SchemaValidationError(query, row, result.issues);
      return result.value as QueryResultRow;
    },
  };
}
