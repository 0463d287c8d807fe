import {
  ConflictError,
  DatabaseError,
  NotFoundError,
  PoolExhaustedError,
  TenantViolationError,
  TimeoutError,
  UnavailableError,
  ValidationError,
  VetalyzeError,
} from '../errors.js';

/** What a named constraint protects, so its violation can name the field. */
const constraintFields: Record<string, { field: string; entity?: string }> = {
  users_email_key: { field: 'email' },
  idempotency_keys_pkey: { field: 'idempotencyKey' },
  subscription_history_one_open_per_clinic: { field: 'subscription' },
  pets_microchip_key: { field: 'microchip' },
  owners_clinic_id_seq_key: { field: 'code' },
  pets_clinic_id_seq_key: { field: 'code' },
  clinic_staff_pkey: { field: 'userId' },
  clinics_country_code_fkey: { field: 'countryCode' },
  clinics_owner_user_id_fkey: { field: 'ownerUserId', entity: 'user' },
  clinic_staff_user_id_fkey: { field: 'userId', entity: 'user' },
  subscription_history_subscription_type_id_fkey: { field: 'subscriptionTypeId' },
  subscription_history_payment_method_id_fkey: { field: 'paymentMethodId' },
  subscription_history_activated_by_fkey: { field: 'activatedBy', entity: 'user' },
  subscription_history_suspended_by_fkey: { field: 'suspendedBy', entity: 'user' },
  subscription_history_reactivated_by_fkey: { field: 'reactivatedBy', entity: 'user' },
  subscription_history_reactivation_complete: { field: 'reactivatedBy' },
  pets_pet_type_id_fkey: { field: 'petTypeId' },
  clinic_staff_deactivated_when_inactive: { field: 'isActive' },
  subscription_history_ends_after_start: { field: 'endsOn' },
  subscription_history_suspension_complete: { field: 'suspendedBy' },
  owners_phone_digits_with_phone: { field: 'phoneNumber' },
  pets_deceased_on_only_if_deceased: { field: 'deceasedOn' },
  pets_deceased_after_birth: { field: 'deceasedOn' },
};

/** Foreign keys that include clinic_id: a violation means a cross-clinic link. */
const tenantForeignKeys = new Set(['pets_clinic_id_owner_id_fkey']);

/** Foreign keys to clinics(id): a violation means the clinic does not exist. */
const clinicForeignKeys =
  /^(clinic_staff|clinic_counters|subscription_history|owners)_clinic_id_fkey$/;

/** `pets_birth_date_check` on table `pets` -> `birth_date`: PostgreSQL's default check names. */
function columnOfCheck(constraint: string, table: string | undefined): string {
  const prefix = table ? `${table}_` : '';
  return constraint.startsWith(prefix)
    ? constraint.slice(prefix.length).replace(/_check$/, '')
    : constraint;
}

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

interface PgErrorFields {
  code?: string;
  constraint?: string;
  column?: string;
  table?: string;
  detail?: string;
}

/** The first error in the cause chain that carries a SQLSTATE (the node-postgres error). */
/**
 * What `onQuery` reports of a failure: the server's SQLSTATE (e.g. '23505'),
 * else the socket's code (e.g. 'ECONNRESET'), else undefined.
 */
export function failureCode(error: unknown): string | undefined {
  const sqlstate = findPgError(error)?.code;
  if (sqlstate) return sqlstate;
  for (let current = error, depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    // The library's own classes carry their code ('UNAVAILABLE'); the cause says why.
    if (typeof code === 'string' && !(current instanceof VetalyzeError)) return code;
    current = current.cause;
  }
  return undefined;
}

function findPgError(error: unknown): PgErrorFields | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const fields = current as Error & PgErrorFields;
    // Node's socket codes are upper case too ('EPIPE' has five letters): not SQLSTATEs.
    if (
      typeof fields.code === 'string' &&
      /^[0-9A-Z]{5}$/.test(fields.code) &&
      !socketErrorCodes.has(fields.code)
    )
      return fields;
    current = current.cause;
  }
  return undefined;
}

/** Node.js socket and stream error codes that mean the connection is gone or was never made. */
const socketErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);

/** node-postgres' own words for a connection that ended, or could not be made in time. */
const connectionLostMessage =
  /Connection terminated|not queryable|connection timeout|Connection closed|ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|does not support SSL/i;

/** Node's TLS failures (e.g. DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID): no usable connection. */
const tlsErrorCode = /CERT|TLS|SSL/;

/**
 * True when `error` means the connection itself failed (the one rule of
 * `UnavailableError`): a socket error, node-postgres saying the connection
 * ended, SQLSTATE class 08, or the server ending the session (57P01-57P03).
 * Such a connection is destroyed; after any other error it is returned to the
 * pool and reused.
 */
export function isConnectionFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') {
      if (
        socketErrorCodes.has(code) ||
        tlsErrorCode.test(code) ||
        code.startsWith('08') ||
        code.startsWith('57P')
      )
        return true;
      if (/^[0-9A-Z]{5}$/.test(code)) return false;
    }
    if (connectionLostMessage.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}

/**
 * The schema's name of a violated constraint. On Citus the shard that refused
 * the row reports its own copy's name, the schema's name plus `_<shard id>`
 * (`pets_microchip_key_102050`); the suffix is dropped when what remains is a
 * constraint this module knows. The library's names never end in digits, so
 * on plain PostgreSQL nothing changes.
 */
function schemaConstraintName(constraint: string): string {
  const isKnown = (name: string) =>
    Object.hasOwn(constraintFields, name) ||
    tenantForeignKeys.has(name) ||
    clinicForeignKeys.test(name);
  const base = /^(.+)_\d+$/.exec(constraint)?.[1];
  return base !== undefined && !isKnown(constraint) && isKnown(base) ? base : constraint;
}

/** pg-pool's words when every connection stayed busy past `connectionTimeoutMillis`. */
const poolExhaustedMessage = 'timeout exceeded when trying to connect';

/**
 * Turns any error from node-postgres into the library's own class, by
 * SQLSTATE and constraint name. The library's own errors pass through.
 */
export function toVetalyzeError(error: unknown): VetalyzeError {
  if (error instanceof VetalyzeError) return error;
  const pg = findPgError(error);
  const sqlstate = pg?.code ?? '';
  const constraint = schemaConstraintName(pg?.constraint ?? '');
  const known = constraintFields[constraint];
  const options = { cause: error };

  if (sqlstate === '23505') {
    const field = known?.field ?? constraint;
    return new ConflictError(`${field} already exists`, field, options);
  }
  if (sqlstate === '23503') {
    if (tenantForeignKeys.has(constraint)) {
      return new TenantViolationError(
        `${constraint}: the referenced row belongs to another clinic or does not exist`,
        options,
      );
    }
    if (clinicForeignKeys.test(constraint))
      return new NotFoundError('clinic', pg?.detail?.match(/\((\d+)\)/)?.[1] ?? '?', options);
    if (known?.entity)
      return new NotFoundError(
        known.entity,
        pg?.detail?.match(/\)=\(([^)]*)\)/)?.[1] ?? '?',
        options,
      );
    const field = known?.field ?? constraint;
    return new ValidationError(
      [{ field, message: 'refers to a row that does not exist' }],
      options,
    );
  }
  if (sqlstate === '23514' || sqlstate === '23502') {
    const field = known?.field ?? camelCase(pg?.column ?? columnOfCheck(constraint, pg?.table));
    const message = sqlstate === '23502' ? 'is required' : `is not allowed (${constraint})`;
    return new ValidationError([{ field, message }], options);
  }
  if (sqlstate.startsWith('22')) {
    return new ValidationError(
      [{ field: pg?.column ?? 'input', message: (error as Error).message }],
      options,
    );
  }
  if (sqlstate === '40001' || sqlstate === '40P01' || sqlstate === '55P03') {
    return new ConflictError(
      'the write lost to a concurrent one; retry it',
      'transaction',
      options,
    );
  }
  if (sqlstate === '57014') {
    return new TimeoutError('the statement ran past its timeout', options);
  }
  if (sqlstate === '25P03') {
    return new TimeoutError('the transaction sat idle past its timeout', options);
  }
  if (error instanceof Error && error.message === poolExhaustedMessage) {
    return new PoolExhaustedError(
      'every connection of the pool stayed busy for connectionTimeoutMs; the call was not started',
      options,
    );
  }
  if (sqlstate.startsWith('57P') || sqlstate === '53300' || isConnectionFailure(error)) {
    return new UnavailableError('the database is unavailable', options);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DatabaseError(`database error${sqlstate ? ` ${sqlstate}` : ''}: ${message}`, options);
}
