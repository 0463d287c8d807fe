/**
 * The library's errors. Callers branch on the class or on the stable `code`,
 * never on message text. The driver error that caused one is kept as `cause`.
 */

/** Stable machine-readable codes of {@link VetalyzeError} subclasses. */
export type VetalyzeErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'ILLEGAL_TRANSITION'
  | 'TENANT_VIOLATION'
  | 'TIMEOUT'
  | 'UNAVAILABLE'
  | 'POOL_EXHAUSTED'
  | 'DATABASE'
  | 'MIGRATION';

/** Base class of every error this library throws. */
export abstract class VetalyzeError extends Error {
  /** Stable code to branch on. */
  abstract readonly code: VetalyzeErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem with an input: the path of the field and what is wrong with it. */
export interface ValidationIssue {
  /** Dotted path of the field, e.g. `owner.email` or `rows.12.pets.0.name`. */
  readonly field: string;
  /** What is wrong, in words. */
  readonly message: string;
}

/** An input was rejected before (or by) the database; `issues` names every bad field. */
export class ValidationError extends VetalyzeError {
  readonly code = 'VALIDATION';
  /** Every problem found, each naming its field. */
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    const summary = issues
      .slice(0, 5)
      .map((issue) => `${issue.field}: ${issue.message}`)
      .join('; ');
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
    super(`Invalid input: ${summary}${more}`, options);
    this.issues = issues;
  }

  /** The first bad field's path, for the common single-field case. */
  get field(): string | undefined {
    return this.issues[0]?.field;
  }
}

/** The row asked for does not exist, or is not visible in the caller's scope. */
export class NotFoundError extends VetalyzeError {
  readonly code = 'NOT_FOUND';

  constructor(
    /** What was looked for, e.g. `clinic`, `owner`. */
    readonly entity: string,
    /** The id or key that was looked for. */
    readonly key: string | number,
    options?: { cause?: unknown },
  ) {
    super(`${entity} ${key} not found`, options);
  }
}

/** A write lost to another: a duplicate, a stale version, a concurrent change. */
export class ConflictError extends VetalyzeError {
  readonly code: 'CONFLICT' | 'ILLEGAL_TRANSITION' = 'CONFLICT';

  constructor(
    message: string,
    /** The field or rule in conflict, e.g. `email`, `version`, `subscription`. */
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A state change that the current state does not allow (see docs/subscriptions.md). */
export class IllegalTransitionError extends ConflictError {
  override readonly code = 'ILLEGAL_TRANSITION';

  constructor(
    /** The transition that was asked for, e.g. `suspend`. */
    readonly transition: string,
    /** The state the subject was in, e.g. `none`, `suspended`. */
    readonly currentState: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot ${transition}: the subscription is ${currentState}`, 'status', options);
  }
}

/** A write would have linked rows of two clinics; the database refused it. */
export class TenantViolationError extends VetalyzeError {
  readonly code = 'TENANT_VIOLATION';
}

/**
 * A statement ran past the statement timeout (SQLSTATE 57014), or a session sat
 * idle inside a transaction past `idleInTransactionTimeoutMs` (25P03). Waiting
 * for a connection is never a TimeoutError: see {@link UnavailableError} and
 * {@link PoolExhaustedError}.
 */
export class TimeoutError extends VetalyzeError {
  readonly code = 'TIMEOUT';
}

/**
 * The connection to the database failed; retrying later may work. One rule
 * covers every connection-level failure: refused or unreachable (ECONNREFUSED,
 * ENOTFOUND, no connection within `connectionTimeoutMs`), reset or broken
 * (ECONNRESET, "read ECONNRESET", EPIPE, "Connection terminated"), SQLSTATE
 * class 08, the server ending the session (57P01 administrator command, 57P02
 * crash, 57P03 starting up or shutting down), or too many connections (53300).
 *
 * A read-only statement that met one of these was already retried once on a
 * new connection; a write was not, because it may have committed before the
 * connection failed (see docs/getting-started.md, "Connections and retries").
 */
export class UnavailableError extends VetalyzeError {
  readonly code: 'UNAVAILABLE' | 'POOL_EXHAUSTED' = 'UNAVAILABLE';
}

/**
 * The server is up, but every connection of the pool stayed busy for
 * `connectionTimeoutMs`, so the call never started: nothing was sent, and
 * retrying it is always safe. What to do: look for what holds connections
 * (slow statements, transactions that wait on outside work, exports whose
 * reader stalls), shed load or retry with back-off; raise `poolSize` only when
 * the server has idle cores (2 busy connections per core saturate it).
 */
export class PoolExhaustedError extends UnavailableError {
  override readonly code = 'POOL_EXHAUSTED';
}

/** Any other database failure; `cause` holds the driver error. */
export class DatabaseError extends VetalyzeError {
  readonly code = 'DATABASE';
}

/** A migration could not be applied, or an applied migration file was changed. */
export class MigrationError extends VetalyzeError {
  readonly code = 'MIGRATION';
}
