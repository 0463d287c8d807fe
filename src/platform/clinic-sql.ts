import { z } from 'zod';
import { preparedStatement } from '../db/prepared.js';
import { sql } from '../db/sql.js';
import {
  clinicStatusSchema,
  derivedStatusSql,
  openRecordJoinSql,
  openSubscriptionJsonSql,
  openSubscriptionSchema,
} from './subscription-sql.js';

/**
 * Row shapes and column lists of the clinics repository. Clinic `c` is either
 * the clinics table or a data-modifying CTE's output with the same columns.
 */

/** A clinic as it appears in lists: its columns, derived status and open record. */
export const clinicSummaryRow = z.object({
  id: z.number(),
  clinicName: z.string(),
  countryCode: z.string(),
  ownerUserId: z.number(),
  ownerPhoneNumber: z.string(),
  clinicPhoneNumber: z.string(),
  version: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
  status: clinicStatusSchema,
  subscription: openSubscriptionSchema.nullable(),
});

/** The summary plus owner, country and staff counts, flat as SQL returns them. */
export const clinicDetailRow = clinicSummaryRow.extend({
  ownerEmail: z.string(),
  ownerFullName: z.string(),
  countryName: z.string(),
  callingCode: z.string(),
  activeDoctors: z.number(),
  activeReceptionists: z.number(),
});

/** The clinic's own columns, given clinic `c`. */
export const clinicFieldsColumnsSql = sql.fragment`
  c.id, c.clinic_name as "clinicName", c.country_code as "countryCode",
  c.owner_user_id as "ownerUserId", c.owner_phone_number as "ownerPhoneNumber",
  c.clinic_phone_number as "clinicPhoneNumber", c.version,
  c.created_at as "createdAt", c.updated_at as "updatedAt"`;

/** {@link clinicSummaryRow}'s columns; needs `c` and `openRecordJoinSql`'s `o`. */
export const clinicSummaryColumnsSql = sql.fragment`
  ${clinicFieldsColumnsSql},
  ${derivedStatusSql} as status,
  ${openSubscriptionJsonSql} as subscription`;

/**
 * Everything after `select` for {@link clinicDetailRow}, given clinic `c` (a
 * table or CTE name is interpolated by the caller before `c`).
 */
export const clinicDetailTailSql = sql.fragment`
  join users u on u.id = c.owner_user_id
  join countries co on co.code = c.country_code
  ${openRecordJoinSql}
  cross join lateral (
    select count(*) filter (where cs.role = 'doctor')::int as doctors,
           count(*) filter (where cs.role = 'receptionist')::int as receptionists
    from clinic_staff cs
    where cs.clinic_id = c.id and cs.is_active
  ) sc`;

/** {@link clinicDetailRow}'s columns; needs `c`, `u`, `co`, `o`, `sc` of {@link clinicDetailTailSql}. */
export const clinicDetailColumnsSql = sql.fragment`
  ${clinicSummaryColumnsSql},
  u.email as "ownerEmail", u.full_name as "ownerFullName",
  co.name as "countryName", co.calling_code as "callingCode",
  sc.doctors as "activeDoctors", sc.receptionists as "activeReceptionists"`;

/** What `clinics.status` reads on a cache miss. */
export const clinicStatusRow = z.object({
  status: clinicStatusSchema,
  changesAt: z.number().nullable(),
});

/**
 * The status of clinic `clinicId` and, while active, the epoch ms of midnight
 * (database time zone) at the start of `ends_on`, when it turns 'expired'.
 */
export const selectClinicStatus = preparedStatement(
  'vz_platform_clinic_status',
  clinicStatusRow,
  (p: { clinicId: number }) => sql.fragment`
    select ${derivedStatusSql} as status,
      case when o.status = 'active' and current_date < o.ends_on
        then (extract(epoch from o.ends_on::timestamptz) * 1000)::bigint
      end as "changesAt"
    from clinics c
    ${openRecordJoinSql}
    where c.id = ${p.clinicId}`,
);

/** A clinic with its owner, country, open subscription and active staff counts. */
export const selectClinicDetail = preparedStatement(
  'vz_platform_clinic_detail',
  clinicDetailRow,
  (p: { clinicId: number }) => sql.fragment`
    select ${clinicDetailColumnsSql}
    from clinics c
    ${clinicDetailTailSql}
    where c.id = ${p.clinicId}`,
);
