/** One statement as it was sent, with its timing; passed to `onQuery`. */
export interface QueryEvent {
  /** The SQL text sent to the server. */
  readonly sql: string;
  /** The bound parameter values. */
  readonly values: readonly unknown[];
  /**
   * The prepared-statement name (`clinic.owners.get`), when the statement is
   * prepared; every statement's name, prepared or not, is `statementLabel(sql)`.
   */
  readonly name: string | undefined;
  /** Wall time from send to result, in milliseconds. */
  readonly durationMs: number;
  /** Rows returned or changed; 0 when the statement failed. */
  readonly rowCount: number;
  /** True when the statement failed. */
  readonly failed: boolean;
  /**
   * Why it failed: the server's SQLSTATE (e.g. '23505', '57014') or the
   * connection's error code (e.g. 'ECONNRESET'); undefined when it succeeded
   * or the cause has no code.
   */
  readonly errorCode?: string | undefined;
  /** The server that ran it: 'primary', or 'replica:N' (N from 0, in `readReplicas` order). */
  readonly server: string;
}

/**
 * A statement that took `slowQueryMs` or longer; passed to `onSlowQuery`.
 * It carries no bound values, so it can go to a log as it is.
 */
export interface SlowQueryEvent {
  /**
   * The prepared-statement name (`clinic.owners.create`), the operation's
   * name; undefined for unnamed statements, whose name is `statementLabel(sql)`.
   */
  readonly operation: string | undefined;
  /** The SQL text with `$N` placeholders. */
  readonly sql: string;
  /** Wall time from send to result, in milliseconds. */
  readonly durationMs: number;
  /** The server that ran it: 'primary' or 'replica:N'. */
  readonly server: string;
  /** True when the statement failed (e.g. cancelled by the statement timeout). */
  readonly failed: boolean;
}

const isPasswordHash = (value: unknown) => typeof value === 'string' && value.startsWith('scrypt$');

/** Password hashes are bound values of a few statements; they never reach a listener. */
export function redacted(values: readonly unknown[]): readonly unknown[] {
  return values.some(isPasswordHash)
    ? values.map((value) => (isPasswordHash(value) ? '[redacted]' : value))
    : values;
}
