import { z } from 'zod';
import { hashPassword, passwordSchema, verifyPasswordHash } from '../accounts/password.js';
import type { Context } from '../context.js';
import { sql } from '../db/sql.js';
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

/** The columns of {@link User} from `users` (no alias). */
export const userColumnsSql = sql.fragment`
  id, email, full_name as "fullName", role, is_active as "isActive",
  password_hash is not null as "hasPassword", created_at as "createdAt", updated_at as "updatedAt"`;

/** Builds the users repository (see {@link UsersRepository}). */
export function createUsersRepository(context: Context): UsersRepository {
  const { db } = context;
  return {
    create: async (input) => {
      const { email, fullName, role, password } = parseInput(createUserInput, input);
      const passwordHash = password === undefined ? null : await hashPassword(password);
      return db.one(sql.prepared('vz_platform_user_insert', userRow)`
        insert into users (email, full_name, role, password_hash)
        values (${email}, ${fullName}, ${role}::user_role, ${passwordHash})
        returning ${userColumnsSql}`);
    },

    get: async (id) => {
      const userId = parseInput(idSchema, id);
      const user = await db.maybeOne(sql.prepared('vz_platform_user_by_id', userRow)`
        select ${userColumnsSql} from users where id = ${userId}`);
      if (!user) throw new NotFoundError('user', userId);
      return user;
    },

    verifyPassword: async (email, password) => {
      const input = parseInput(verifyInput, { email, password });
      const row = await db.maybeOne(sql.prepared('vz_platform_user_login', loginRow)`
        select ${userColumnsSql}, password_hash as "passwordHash"
        from users where lower(email) = lower(${input.email.trim()})`);
      // Always one derivation, whatever was found, so timing tells nothing.
      const matches = await verifyPasswordHash(input.password, row?.passwordHash ?? null);
      if (!row || !matches || !row.isActive) return null;
      const { passwordHash: _hash, ...user } = row;
      return user;
    },

    setPassword: async (id, password) => {
      const input = parseInput(setPasswordInput, { id, password });
      const passwordHash = await hashPassword(input.password);
      const updated = await db.maybeOneFirst(sql.prepared(
        'vz_platform_user_set_password',
        z.object({ id: z.number() }),
      )`
        update users set password_hash = ${passwordHash}, updated_at = now()
        where id = ${input.id}
        returning id`);
      if (updated === null) throw new NotFoundError('user', input.id);
    },

    deactivate: async (id) => {
      const userId = parseInput(idSchema, id);
      const user = await db.maybeOne(sql.prepared('vz_platform_user_deactivate', userRow)`
        update users
        set is_active = false, updated_at = case when is_active then now() else updated_at end
        where id = ${userId}
        returning ${userColumnsSql}`);
      if (!user) throw new NotFoundError('user', userId);
      return user;
    },
  };
}
