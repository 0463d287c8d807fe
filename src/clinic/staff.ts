/**
 * The staff repository of one clinic: its doctors and receptionists (and its
 * owner, listed as `clinic_owner`). Accounts are platform-wide `users` rows;
 * membership is a `clinic_staff` row of this clinic.
 */

import { z } from 'zod';
import { hashPassword } from '../accounts/password.js';
import { type FragmentSqlToken, sql } from '../db/sql.js';
import { statement } from '../db/statement.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { idSchema, parseInput } from '../validation.js';
import {
  type NewStaffMember,
  type StaffFilter,
  staffAddSchema,
  staffFilterSchema,
} from './inputs.js';
import type { ScopeContext } from './scope-context.js';

/** The staff of one clinic: its doctors and receptionists, and its owner. */
export interface StaffRepository {
  /**
   * Adds a doctor or receptionist. With `userId`, links an existing account
   * that works for no other clinic (an account belongs to the clinic of its
   * first membership, for good; re-adding a deactivated member reactivates
   * them); with `email` and `fullName` (and optionally `password`, else an
   * invitation with no password), creates the account. ONE statement (with
   * the `citus` option, a transaction of three: the account created or
   * claimed, the membership, the member read back).
   * @throws NotFoundError (`user`) when the account does not exist, is a
   *   platform admin, or works for another clinic (not visible from here)
   * @throws ConflictError (`userId`) when already an active member here;
   *   (`email`) when an account has that email
   */
  add(input: NewStaffMember): Promise<StaffMember>;
  /**
   * The clinic's staff with their accounts, filtered by role and active flag:
   * the owner first, then by role and name. ONE prepared statement; a clinic's
   * staff is a handful of rows, so the list is not paged.
   */
  list(filter?: StaffFilter): Promise<StaffMember[]>;
  /**
   * Deactivates a member of this clinic (their account stays, for other
   * clinics and for history); deactivating an inactive member changes nothing.
   * @throws NotFoundError (`staff member`) when the user is not on this clinic's staff
   * @throws ConflictError (`role`) for the clinic's owner
   */
  deactivate(userId: number): Promise<StaffMember>;
}

/** A member of a clinic's staff with their account. */
export const staffMemberSchema = z.object({
  userId: z.number(),
  email: z.string(),
  fullName: z.string(),
  role: z.enum(['clinic_owner', 'doctor', 'receptionist']),
  isActive: z.boolean(),
  /** When they joined this clinic. */
  createdAt: z.date(),
  /** When they were deactivated; null while active. */
  deactivatedAt: z.date().nullable(),
});

/** A member of a clinic's staff with their account. */
export interface StaffMember {
  readonly userId: number;
  readonly email: string;
  readonly fullName: string;
  readonly role: 'clinic_owner' | 'doctor' | 'receptionist';
  readonly isActive: boolean;
  /** When they joined this clinic. */
  readonly createdAt: Date;
  /** When they were deactivated; null while active. */
  readonly deactivatedAt: Date | null;
}

const linkRow = staffMemberSchema.extend({ linked: z.boolean() });

const memberColumns = sql.fragment`
  s.user_id as "userId", u.email, u.full_name as "fullName", s.role,
  s.is_active as "isActive", s.created_at as "createdAt", s.deactivated_at as "deactivatedAt"`;

/*
 * The statements of the staff repository. `list` is prepared. Unnamed: `add`
 * and `deactivate`, staff changes that run rarely, not worth a prepared slot
 * on every connection.
 */

/**
 * Claims the account for this clinic: sets `users.staff_clinic_id`, the clinic the
 * account works for, when it is unset or already this clinic. No row when the
 * account is missing, a platform admin or another clinic's. One row of one
 * table (`users`, a reference table on Citus), so the rule "an account works
 * for one clinic" never reads other clinics' rows, and two clinics claiming
 * one account at once cannot both win: the second update waits for the first
 * and then finds the account taken.
 */
function claimAccountSql(p: { clinicId: number; userId: number }) {
  return sql.fragment`
    update users u set staff_clinic_id = ${p.clinicId}
    where u.id = ${p.userId} and u.role <> 'platform_admin'
      and (u.staff_clinic_id is null or u.staff_clinic_id = ${p.clinicId})`;
}

/**
 * Makes the account of `source` (a row of clinic id, user id and role) a
 * member; re-adding a deactivated member reactivates them. No row when already
 * an active member.
 */
function linkMembershipSql(source: FragmentSqlToken) {
  return sql.fragment`
    insert into clinic_staff as s (clinic_id, user_id, role)
    ${source}
    on conflict (clinic_id, user_id) do update
      set role = excluded.role, is_active = true, deactivated_at = null
      where s.is_active = false and s.role <> 'clinic_owner'`;
}

/**
 * Links an existing account: claims it ({@link claimAccountSql}) and makes it
 * a member ({@link linkMembershipSql}). No row when the claim fails; `linked`
 * false when the account is already an active member here.
 */
const linkMemberStatement = statement(
  'clinic.staff.add:link',
  linkRow,
  { prepared: false },
  (p: { clinicId: number; userId: number; role: string }) => sql.fragment`
    with claimed as (
      ${claimAccountSql(p)}
      returning u.id, u.email, u.full_name
    ), linked as (
      ${linkMembershipSql(sql.fragment`select ${p.clinicId}, claimed.id, ${p.role} from claimed`)}
      returning s.*
    )
    select ${memberColumns}, true as linked
    from linked s join claimed u on u.id = s.user_id
    union all
    -- Not linked: the account is already an active member here.
    select ${memberColumns}, false
    from clinic_staff s join claimed u on u.id = s.user_id
    where s.clinic_id = ${p.clinicId} and not exists (select from linked)`,
);

/** What a new member's account is made of; it works for `clinicId`. */
interface NewAccountParams {
  readonly clinicId: number;
  readonly email: string;
  readonly fullName: string;
  readonly role: string;
  readonly passwordHash: string | null;
}

/** Inserts the new member's account, already this clinic's (`staff_clinic_id`). */
function insertAccountSql(p: NewAccountParams) {
  return sql.fragment`
    insert into users (email, full_name, role, password_hash, staff_clinic_id)
    values (${p.email}, ${p.fullName}, ${p.role}, ${p.passwordHash}, ${p.clinicId})`;
}

/** Creates the account and its membership in one statement. */
const createMemberStatement = statement(
  'clinic.staff.add',
  staffMemberSchema,
  { prepared: false },
  (p: NewAccountParams) => sql.fragment`
    with u as (
      ${insertAccountSql(p)}
      returning id, email, full_name
    ), s as (
      insert into clinic_staff as s (clinic_id, user_id, role)
      select ${p.clinicId}, u.id, ${p.role} from u
      returning s.*
    )
    select ${memberColumns} from s join u on u.id = s.user_id`,
);

/*
 * Citus mode (see owners.ts): `staff.add` as a transaction of one-task
 * statements: the account (created, or claimed when linking), the membership,
 * and the member read back. `users` is a reference table, so on a cluster of
 * several nodes the account's write reaches every node's copy.
 */

const accountId = z.object({ id: z.number() });

/** Citus mode: creates the account for this clinic; its id. */
const citusCreateAccountStatement = statement(
  'clinic.staff.add:citus-account',
  accountId,
  { prepared: false },
  (p: NewAccountParams) => sql.fragment`
    ${insertAccountSql(p)}
    returning id`,
);

/** Citus mode: {@link claimAccountSql}; no row when the account cannot be linked here. */
const citusClaimAccountStatement = statement(
  'clinic.staff.add:citus-claim',
  accountId,
  { prepared: false },
  (p: { clinicId: number; userId: number }) => sql.fragment`
    ${claimAccountSql(p)}
    returning u.id`,
);

/** Citus mode: {@link linkMembershipSql} of the claimed account; no row when already active here. */
const citusLinkMembershipStatement = statement(
  'clinic.staff.add:citus-link',
  z.object({ userId: z.number() }),
  { prepared: false },
  (p: { clinicId: number; userId: number; role: string }) => sql.fragment`
    ${linkMembershipSql(sql.fragment`values (${p.clinicId}, ${p.userId}, ${p.role}::user_role)`)}
    returning s.user_id as "userId"`,
);

/** Citus mode: makes the new account a member of the clinic. */
const citusCreateMembershipStatement = statement(
  'clinic.staff.add:citus-member',
  z.object({ userId: z.number() }),
  { prepared: false },
  (p: { clinicId: number; userId: number; role: string }) => sql.fragment`
    insert into clinic_staff (clinic_id, user_id, role)
    values (${p.clinicId}, ${p.userId}, ${p.role})
    returning user_id as "userId"`,
);

/** Citus mode: the new member with its account. */
const citusMemberStatement = statement(
  'clinic.staff.add:citus-read',
  staffMemberSchema,
  { prepared: false },
  (p: { clinicId: number; userId: number }) => sql.fragment`
    select ${memberColumns}
    from clinic_staff s join users u on u.id = s.user_id
    where s.clinic_id = ${p.clinicId} and s.user_id = ${p.userId}`,
);

/** The clinic's staff, filtered by role and active flag when given (null: any). */
const listStaffStatement = statement(
  'clinic.staff.list',
  staffMemberSchema,
  { prepared: true },
  (p: { clinicId: number; role: string | null; isActive: boolean | null }) => sql.fragment`
    select ${memberColumns}
    from clinic_staff s
    join users u on u.id = s.user_id
    where s.clinic_id = ${p.clinicId}
      and (${p.role}::user_role is null or s.role = ${p.role}::user_role)
      and (${p.isActive}::boolean is null or s.is_active = ${p.isActive}::boolean)
    order by s.role, u.full_name, s.user_id`,
);

/** Deactivates a member (not the owner); returns the row as it is when nothing changed. */
const deactivateMemberStatement = statement(
  'clinic.staff.deactivate',
  staffMemberSchema,
  { prepared: false },
  (p: { clinicId: number; userId: number }) => sql.fragment`
    with changed as (
      update clinic_staff s set is_active = false, deactivated_at = now()
      where s.clinic_id = ${p.clinicId} and s.user_id = ${p.userId}
        and s.role <> 'clinic_owner' and s.is_active
      returning s.*
    )
    select ${memberColumns}
    from (
      select * from changed
      union all
      -- Unchanged (the owner, or already inactive): the row as it is.
      select * from clinic_staff s
      where s.clinic_id = ${p.clinicId} and s.user_id = ${p.userId} and not exists (select from changed)
    ) s
    join users u on u.id = s.user_id`,
);

/** The staff repository of one clinic scope. */
export function createStaffRepository(scope: ScopeContext): StaffRepository {
  const { clinicId, context } = scope;

  return {
    async add(input: NewStaffMember): Promise<StaffMember> {
      const member = parseInput(staffAddSchema, input);
      await scope.facts();
      if (member.userId !== undefined) {
        const params = { clinicId, userId: member.userId, role: member.role };
        const row = context.citus
          ? await context.db.transaction(async (tx) => {
              if (!(await tx.maybeOne(citusClaimAccountStatement(params)))) return null;
              const linked = await tx.maybeOne(citusLinkMembershipStatement(params));
              const linkedMember = await tx.one(citusMemberStatement(params));
              return { ...linkedMember, linked: linked !== null };
            })
          : await context.db.maybeOne(linkMemberStatement(params));
        if (!row) throw new NotFoundError('user', member.userId);
        if (!row.linked) {
          throw new ConflictError(
            `user ${member.userId} is already on this clinic's staff`,
            'userId',
          );
        }
        const { linked: _linked, ...linkedMember } = row;
        return linkedMember;
      }
      const passwordHash = member.password ? await hashPassword(member.password) : null;
      const params = {
        clinicId,
        email: member.email ?? '',
        fullName: member.fullName ?? '',
        role: member.role,
        passwordHash,
      };
      if (!context.citus) return context.db.one(createMemberStatement(params));
      return context.db.transaction(async (tx) => {
        const { id: userId } = await tx.one(citusCreateAccountStatement(params));
        await tx.one(citusCreateMembershipStatement({ ...params, userId }));
        return tx.one(citusMemberStatement({ clinicId, userId }));
      });
    },

    async list(filter?: StaffFilter): Promise<StaffMember[]> {
      const { role, isActive } = parseInput(staffFilterSchema, filter);
      await scope.facts();
      const rows = await context.readDb.any(
        listStaffStatement({ clinicId, role: role ?? null, isActive: isActive ?? null }),
      );
      return [...rows];
    },

    async deactivate(userId: number): Promise<StaffMember> {
      const id = parseInput(idSchema, userId, 'userId');
      await scope.facts();
      const row = await context.db.maybeOne(deactivateMemberStatement({ clinicId, userId: id }));
      if (!row) throw new NotFoundError('staff member', id);
      if (row.role === 'clinic_owner') {
        throw new ConflictError("the clinic's owner cannot be deactivated", 'role');
      }
      return row;
    },
  };
}
