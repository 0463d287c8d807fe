import { z } from 'zod';
import { hashPassword, passwordSchema, verifyPasswordHash } from '../accounts/password.js';
import type { Context } from '../context.js';
import { sql } from '../db/sql.js';
import { statement } from '../db/statement.js';
import { NotFoundError } from '../errors.js';
import { idSchema, parseInput, text } from '../validation.js';
import { emailSchema, fullNameSchema, type UserRole, userRoleSchema } from './fields.js';

/** A staff account. It never carries its password or hash. */
export interface User {
  readonly id: number;
  /** As typed at creation (trimmed); unique regardless of case. */
  readonly email: string;
  readonly fullName: string;
  readonly role: UserRole;
  /** False once deactivated: `verifyPassword` then refuses the account. */
  readonly isActive: boolean;
  /** False for an invitation: an account that cannot log in until `setPassword`. */
  readonly hasPassword: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Input of {@link UsersRepository.create}. */
export interface CreateUserInput {
  /** Unique, compared case-insensitively. */
  email: string;
  fullName: string;
  role: UserRole;
  /** 8 to 1024 characters. Omit it to create an invitation (see {@link User.hasPassword}). */
  password?: string;
}

/** Staff accounts: creation, password checks, deactivation. */
export interface UsersRepository {
  /**
   * Creates an account. The password, when given, is hashed with scrypt first
   * (deliberately slow: tens of ms). One statement.
   * @throws ValidationError naming the bad field.
   * @throws ConflictError field `email` when the email is taken (in any case).
   */
  create(input: CreateUserInput): Promise<User>;
  /**
   * One account by id. One statement.
   * @throws NotFoundError('user', id).
   */
  get(id: number): Promise<User>;
  /**
   * The active account with this email (any case) and this password, else
   * null. Takes about the same time whether the email is unknown, the account
   * has no password, is inactive, or the password is wrong. One statement.
   */
  verifyPassword(email: string, password: string): Promise<User | null>;
  /**
   * Sets (or replaces) the account's password; an invitation becomes a login. One statement.
   * @throws NotFoundError('user', id).
   */
  setPassword(id: number, password: string): Promise<void>;
  /**
   * Marks the account inactive, so it can no longer log in; idempotent. One statement.
   * @throws NotFoundError('user', id).
   */
  deactivate(id: number): Promise<User>;
}

const userRow = z.object({
  id: z.number(),
  email: z.string(),
  fullName: z.string(),
  role: userRoleSchema,
  isActive: z.boolean(),
  hasPassword: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

const loginRow = userRow.extend({ passwordHash: z.string().nullable() });

/** The columns of {@link User} from `users` (no alias). */
const userColumnsSql = sql.fragment`
  id, email, full_name as "fullName", role, is_active as "isActive",
  password_hash is not null as "hasPassword", created_at as "createdAt", updated_at as "updatedAt"`;

/*
 * The statements of the users repository, all prepared: point reads and
 * writes by key, one plan for every value.
 */

/** A new account. */
const createUserStatement = statement(
  'platform.users.create',
  userRow,
  { prepared: true },
  (p: { email: string; fullName: string; role: string; passwordHash: string | null }) =>
    sql.fragment`
      insert into users (email, full_name, role, password_hash)
      values (${p.email}, ${p.fullName}, ${p.role}::user_role, ${p.passwordHash})
      returning ${userColumnsSql}`,
);

/** An account by id. */
const userByIdStatement = statement(
  'platform.users.get',
  userRow,
  { prepared: true },
  (p: { userId: number }) => sql.fragment`
    select ${userColumnsSql} from users where id = ${p.userId}`,
);

/** An account by email, with its password hash, for a login. */
const loginStatement = statement(
  'platform.users.verifyPassword',
  loginRow,
  { prepared: true },
  (p: { email: string }) => sql.fragment`
    select ${userColumnsSql}, password_hash as "passwordHash"
    from users where lower(email) = lower(${p.email})`,
);

/** A new password hash. */
const setPasswordStatement = statement(
  'platform.users.setPassword',
  z.object({ id: z.number() }),
  { prepared: true },
  (p: { userId: number; passwordHash: string }) => sql.fragment`
    update users set password_hash = ${p.passwordHash}, updated_at = now()
    where id = ${p.userId}
    returning id`,
);

/**
 * Deactivates an account; `updated_at` only moves when something changed.
 * `now()` is read in FROM, not inside the CASE: Citus refuses a modification
 * with a non-immutable function in CASE or COALESCE ("non-IMMUTABLE functions
 * are not allowed in CASE or COALESCE statements"; docs/scaling-out.md).
 */
const deactivateStatement = statement(
  'platform.users.deactivate',
  userRow,
  { prepared: true },
  (p: { userId: number }) => sql.fragment`
    update users
    set is_active = false, updated_at = case when is_active then n.now else updated_at end
    from (select now() as now) n
    where id = ${p.userId}
    returning ${userColumnsSql}`,
);

const createUserInput = z.object({
  email: emailSchema,
  fullName: fullNameSchema,
  role: userRoleSchema,
  password: passwordSchema.optional(),
});
// Not the account rules: a login with a malformed email is simply not found.
const verifyInput = z.object({
  email: text().max(1024),
  password: text({ nfc: false }).max(1024),
});
const setPasswordInput = z.object({ id: idSchema, password: passwordSchema });

/** Builds the users repository (see {@link UsersRepository}). */
export function createUsersRepository(context: Context): UsersRepository {
  const { db } = context;
  return {
    create: async (input) => {
      const { email, fullName, role, password } = parseInput(createUserInput, input);
      const passwordHash = password === undefined ? null : await hashPassword(password);
      return db.one(createUserStatement({ email, fullName, role, passwordHash }));
    },

    get: async (id) => {
      const userId = parseInput(idSchema, id);
      const user = await db.maybeOne(userByIdStatement({ userId }));
      if (!user) throw new NotFoundError('user', userId);
      return user;
    },

    verifyPassword: async (email, password) => {
      const input = parseInput(verifyInput, { email, password });
      const row = await db.maybeOne(loginStatement({ email: input.email.trim() }));
      // Always one derivation, whatever was found, so timing tells nothing.
      const matches = await verifyPasswordHash(input.password, row?.passwordHash ?? null);
      if (!row || !matches || !row.isActive) return null;
      const { passwordHash: _hash, ...user } = row;
      return user;
    },

    setPassword: async (id, password) => {
      const input = parseInput(setPasswordInput, { id, password });
      const passwordHash = await hashPassword(input.password);
      const updated = await db.maybeOneFirst(
        setPasswordStatement({ userId: input.id, passwordHash }),
      );
      if (updated === null) throw new NotFoundError('user', input.id);
    },

    deactivate: async (id) => {
      const userId = parseInput(idSchema, id);
      const user = await db.maybeOne(deactivateStatement({ userId }));
      if (!user) throw new NotFoundError('user', userId);
      return user;
    },
  };
}
