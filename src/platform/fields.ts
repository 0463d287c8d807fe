import { z } from 'zod';
import { text } from '../validation.js';

/**
 * Input rules shared by the operator-scope repositories. They mirror the
 * columns' CHECK constraints, so a bad value fails here, naming its field,
 * before any SQL runs.
 */

/** Small reference ids (subscription types, payment methods). */
export const smallIdSchema = z.number().int().positive().max(32_767);

/** Trimmed; one `@` with no spaces around it, as the column's CHECK requires. At most 254. */
export const emailSchema = text()
  .trim()
  .max(254)
  .regex(/^[^@\s]+@[^@\s]+$/, 'is not an email address');

/** Trimmed, 1 to 200 characters. */
export const fullNameSchema = text().trim().min(1).max(200);

/** The roles of a staff account. */
export const userRoleSchema = z.enum(['platform_admin', 'clinic_owner', 'doctor', 'receptionist']);

/** A staff account's role. */
export type UserRole = 'platform_admin' | 'clinic_owner' | 'doctor' | 'receptionist';

/** ISO 3166-1 alpha-2, upper-cased (`de` is accepted as `DE`). */
export const countryCodeSchema = text()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, 'is not a two-letter country code');

/** Trimmed, at most 32 characters, with at least one digit (as the columns require). */
export const phoneNumberSchema = text().trim().max(32).regex(/[0-9]/, 'has no digits');

/** Trimmed, 1 to 200 characters. */
export const clinicNameSchema = text().trim().min(1).max(200);

/**
 * A calendar date as `YYYY-MM-DD`, years 1900 to 9998 (the years `subscriptions.list`
 * takes): `0000-01-01` has the ISO shape but PostgreSQL refuses it, which
 * would send a statement and fail with the server's message.
 */
export const dateSchema = z.iso
  .date()
  .refine((value) => value >= '1900-01-01' && value <= '9998-12-31', {
    message: 'must be a date from 1900-01-01 to 9998-12-31',
  });

/**
 * A money amount, as a decimal string (`'49.00'`) or a number with at most two
 * decimals; passed to SQL as text so no float rounding reaches the database.
 */
export const amountSchema = z.union([
  text()
    .trim()
    .regex(/^\d{1,8}(\.\d{1,2})?$/, 'is not an amount with at most 2 decimals'),
  z
    .number()
    .nonnegative()
    .lt(100_000_000)
    .refine((value) => Math.abs(value * 100 - Math.round(value * 100)) < 1e-6, {
      message: 'has more than 2 decimals',
    })
    .transform((value) => value.toFixed(2)),
]);
