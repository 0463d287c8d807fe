import type { QueryEvent } from '@vetalyze/db';

/** One statement as the library sent it: enough to replay it through node-postgres. */
export interface CapturedStatement {
  readonly sql: string;
  readonly values: readonly unknown[];
  /** The prepared-statement name, when the library prepared it. */
  readonly name: string | undefined;
}

/**
 * Receives every statement through `onQuery`: counts them always (cheap), and
 * keeps their text and values only while capturing.
 */
export class StatementRecorder {
  count = 0;
  #captured: CapturedStatement[] | null = null;

  /** The `onQuery` option of createVetalyze. */
  readonly onQuery = (event: QueryEvent): void => {
    this.count++;
    if (this.#captured)
      this.#captured.push({ sql: event.sql, values: event.values, name: event.name });
  };

  /** Runs `action` and returns the statements it sent, with its result. */
  async capture<T>(
    action: () => Promise<T>,
  ): Promise<{ result: T; statements: CapturedStatement[] }> {
    const statements: CapturedStatement[] = [];
    this.#captured = statements;
    try {
      const result = await action();
      return { result, statements };
    } finally {
      this.#captured = null;
    }
  }
}
