/**
 * The zod schemas of the clinic scope's public inputs. Objects are strict: an
 * unknown or misspelt key is a ValidationError naming it, never dropped.
 */
import { z } from 'zod';
import { passwordSchema } from '../accounts/password.js';
import { idempotencyKeySchema, type WriteOptions } from '../idempotency.js';
import { idSchema, text } from '../validation.js';
import { parseCode } from './codes.js';
import { countDigits } from './phone.js';
import type { PetSex } from './rows.js';

const maxInt = 2_147_483_647;

/** A row version for optimistic locking, as returned by the last read. */
export const versionSchema = z.number().int().min(1).max(maxInt);

/**
 * Optional text: trimmed, `''` and null mean "none" (stored as null), absent
 * means "not given" (kept undefined, so an update leaves the column alone).
 */
const optionalText = (max: number) =>
  text()
    .trim()
    .max(max)
    .nullable()
    .transform((value) => (value === '' ? null : value))
    .optional();

/** The last {@link latestPlausibleDate} and until when it holds (ms since the epoch). */
let plausible = { date: '', until: 0 };

/**
 * Today in UTC plus one day, as 'YYYY-MM-DD': no clinic anywhere is past it.
 * Made once per UTC day, not per date checked (a Date and its ISO string each time).
 */
function latestPlausibleDate(): string {
  const now = Date.now();
  // Either way out of the cached day: a clock set back (tests) is followed too.
  if (now >= plausible.until || now < plausible.until - 86_400_000) {
    const tomorrow = new Date(now + 86_400_000);
    const dayEnd = Date.UTC(
      tomorrow.getUTCFullYear(),
      tomorrow.getUTCMonth(),
      tomorrow.getUTCDate() + 1,
    );
    plausible = { date: tomorrow.toISOString().slice(0, 10), until: dayEnd - 86_400_000 };
  }
  return plausible.date;
}

/** A calendar date 'YYYY-MM-DD' from 1900-01-01 to today. */
const pastDate = z.iso
  .date()
  .refine((value) => value >= '1900-01-01', 'must be 1900-01-01 or later')
  .refine((value) => value <= latestPlausibleDate(), 'must not be in the future');

const optionalPastDate = pastDate.nullable().optional();

/** Digits, spaces and + ( ) - . / only, 3 to 15 digits (E.164 allows 15). */
const phoneNumberSchema = text()
  .trim()
  .max(32)
  .regex(/^[0-9+()\-./\s]*$/, {
    message: 'may hold only digits, spaces and + ( ) - . /',
    abort: true,
  })
  .refine((value) => value === '' || (countDigits(value) >= 3 && countDigits(value) <= 15), {
    message: 'must hold 3 to 15 digits',
  })
  .nullable()
  .transform((value) => (value === '' ? null : value))
  .optional();

/** Upper-cased, spaces removed, then 9 to 23 characters of 0-9 and A-Z. */
export const microchipSchema = text()
  .transform((value) => value.replace(/\s+/g, '').toUpperCase())
  .pipe(z.string().regex(/^[0-9A-Z]{9,23}$/, 'must be 9 to 23 letters or digits'));

const optionalMicrochip = text()
  .nullable()
  .transform((value) => (value === null || value.trim() === '' ? null : value))
  .pipe(microchipSchema.nullable())
  .optional();

const emailShape = z.email();

/** An e-mail address, trimmed; `''` and null mean none. */
const emailSchema = text()
  .trim()
  .max(254)
  .refine((value) => value === '' || emailShape.safeParse(value).success, {
    message: 'must be an e-mail address',
  })
  .nullable()
  .transform((value) => (value === '' ? null : value))
  .optional();

/** The sexes a pet record knows. */
export const petSexSchema = z.enum(['unknown', 'male', 'female', 'male_neutered', 'female_spayed']);

/** A pet type id from `vz.lookups.petTypes()`. */
const petTypeIdSchema = z.number().int().min(1).max(32_767);

/** One pet of `owners.create`, `owners.import` and `pets.add`. */
export const newPetSchema = z.strictObject({
  name: text().trim().min(1).max(100),
  petTypeId: petTypeIdSchema,
  breed: optionalText(100),
  sex: petSexSchema.optional(),
  birthDate: optionalPastDate,
  microchip: optionalMicrochip,
});

/** Input of `owners.create` and one row of `owners.import`. */
export const newOwnerSchema = z.strictObject({
  fullName: text().trim().min(1).max(200),
  phoneNumber: phoneNumberSchema,
  email: emailSchema,
  address: optionalText(500),
  notes: optionalText(10_000),
  pets: z.array(newPetSchema).max(50).default([]),
});

/** The options of `owners.create`: its idempotency key, and what it returns. */
export const createOwnerOptionsSchema = z
  .strictObject({
    idempotencyKey: idempotencyKeySchema.optional(),
    returning: z.enum(['owner', 'ref']).optional(),
  })
  .optional();

/** Input of `owners.update`: the version read last and at least one field to change. */
export const ownerPatchSchema = z
  .strictObject({
    version: versionSchema,
    fullName: text().trim().min(1).max(200).optional(),
    phoneNumber: phoneNumberSchema,
    email: emailSchema,
    address: optionalText(500),
    notes: optionalText(10_000),
  })
  .refine((patch) => Object.keys(patch).some((key) => key !== 'version'), {
    message: 'names no field to change',
  });

/** Input of `pets.update`: the version read last and at least one field to change. */
export const petPatchSchema = z
  .strictObject({
    version: versionSchema,
    name: text().trim().min(1).max(100).optional(),
    petTypeId: petTypeIdSchema.optional(),
    breed: optionalText(100),
    sex: petSexSchema.optional(),
    birthDate: optionalPastDate,
    microchip: optionalMicrochip,
    isDeceased: z.boolean().optional(),
    deceasedOn: optionalPastDate,
  })
  .superRefine((patch, context) => {
    if (!Object.keys(patch).some((key) => key !== 'version')) {
      context.addIssue({ code: 'custom', message: 'names no field to change', path: [] });
    }
    if (patch.isDeceased === false && patch.deceasedOn) {
      context.addIssue({
        code: 'custom',
        message: 'cannot be set when isDeceased is false',
        path: ['deceasedOn'],
      });
    }
    if (patch.birthDate && patch.deceasedOn && patch.deceasedOn < patch.birthDate) {
      context.addIssue({
        code: 'custom',
        message: 'must not be before birthDate',
        path: ['deceasedOn'],
      });
    }
  });

/** Input of `pets.move`. */
export const petMoveSchema = z.strictObject({ toOwnerId: idSchema, version: versionSchema });

/** Input of `pets.add`: 1 to 50 pets. */
export const newPetsSchema = z.array(newPetSchema).min(1).max(50);

/** Page size (default 20, at most 100) and the cursor of the previous page. */
const pageFields = {
  limit: z.number().int().min(1).max(100).default(20),
  cursor: text().min(1).max(200).optional(),
};

/** Page fields of the owner lists: pets' names or not, summaries or contacts. */
const ownerPageFields = {
  ...pageFields,
  withPetNames: z.boolean().default(false),
  columns: z.enum(['summary', 'contact']).default('summary'),
};

/** Pet names are part of a summary; a contact row has no room for them. */
function petNamesWithSummaries(
  input: { columns: string; withPetNames: boolean },
  context: z.core.$RefinementCtx,
) {
  if (input.columns === 'contact' && input.withPetNames) {
    context.addIssue({
      code: 'custom',
      message: "pet names come with columns 'summary' only",
      path: ['withPetNames'],
    });
  }
}

/** Input of the lists: `owners.list`. */
export const pageSchema = z
  .strictObject(ownerPageFields)
  .superRefine(petNamesWithSummaries)
  .default({ limit: 20, withPetNames: false, columns: 'summary' });

const searchName = text().trim().min(1).max(200).optional();

function exactlyOne(keys: readonly string[]) {
  return (input: Record<string, unknown>, context: z.core.$RefinementCtx) => {
    const given = keys.filter((key) => input[key] !== undefined);
    if (given.length !== 1) {
      context.addIssue({
        code: 'custom',
        message: `give exactly one of ${keys.join(', ')}`,
        path: given.length > 1 ? [given[1] as string] : [],
      });
    }
  };
}

/** Input of `owners.search`: one of name, phone or code, plus paging. */
export const ownerSearchSchema = z
  .strictObject({
    name: searchName,
    phone: text()
      .max(32)
      .refine((value) => countDigits(value) >= 3, 'must hold at least 3 digits')
      .optional(),
    code: text()
      .refine((value) => parseCode('O', value) !== undefined, 'is not an owner code like O-000123')
      .optional(),
    ...ownerPageFields,
    columns: z.enum(['summary', 'contact']).default('summary'),
  })
  .superRefine(exactlyOne(['name', 'phone', 'code']))
  .superRefine(petNamesWithSummaries);

/** Input of `pets.search`: one of name, code or microchip, plus paging. */
export const petSearchSchema = z
  .strictObject({
    name: searchName,
    code: text()
      .refine((value) => parseCode('P', value) !== undefined, 'is not a pet code like P-000123')
      .optional(),
    microchip: microchipSchema.optional(),
    ...pageFields,
  })
  .superRefine(exactlyOne(['name', 'code', 'microchip']));

/** The roles a clinic's staff can be added with. */
export const staffRoleSchema = z.enum(['doctor', 'receptionist']);

/** Input of `staff.add`: link an existing account by id, or create one. */
export const staffAddSchema = z
  .strictObject({
    role: staffRoleSchema,
    userId: idSchema.optional(),
    email: text().trim().max(254).pipe(emailShape).optional(),
    fullName: text().trim().min(1).max(200).optional(),
    password: passwordSchema.optional(),
  })
  .superRefine((input, context) => {
    if (input.userId !== undefined) {
      for (const key of ['email', 'fullName', 'password'] as const) {
        if (input[key] !== undefined) {
          context.addIssue({ code: 'custom', message: 'not allowed with userId', path: [key] });
        }
      }
      return;
    }
    for (const key of ['email', 'fullName'] as const) {
      if (input[key] === undefined) {
        context.addIssue({
          code: 'custom',
          message: 'is required to create an account (or give userId)',
          path: [key],
        });
      }
    }
  });

/** Input of `staff.list`. */
export const staffFilterSchema = z
  .strictObject({
    role: z.enum(['clinic_owner', 'doctor', 'receptionist']).optional(),
    isActive: z.boolean().optional(),
  })
  .default({});

/** Input of `owners.export`. */
export const exportOptionsSchema = z
  .strictObject({
    batchSize: z.number().int().min(1).max(10_000).optional(),
    timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  })
  .default({});

// The public input types, written by hand so the published declarations carry
// no zod internals; test/public-types.typecheck.ts proves each agrees with its schema.

/** A new pet, in `owners.create`, `owners.import` and `pets.add`. */
export interface NewPet {
  /** 1 to 100 characters; stored NFC. */
  name: string;
  /** A pet type id from `vz.lookups.petTypes()`. */
  petTypeId: number;
  breed?: string | null;
  /** @default 'unknown' */
  sex?: PetSex;
  /** 'YYYY-MM-DD', not in the future. */
  birthDate?: string | null;
  /** Spaces and case are ignored; unique among the clinic's live pets. */
  microchip?: string | null;
}

/** Input of `owners.create`, and one row of `owners.import`: the owner and 0 to 50 new pets. */
export interface NewOwner {
  /** 1 to 200 characters; stored NFC. */
  fullName: string;
  /** As typed; national digits are derived with the clinic's country rules. */
  phoneNumber?: string | null;
  email?: string | null;
  address?: string | null;
  notes?: string | null;
  /** @default [] */
  pets?: NewPet[];
}

/** Input of `pets.add`: 1 to 50 pets. */
export type NewPets = NewPet[];

/** The options of `owners.create`. */
export interface CreateOwnerOptions extends WriteOptions {
  /**
   * `'owner'` (the default): the new owner with its pets. `'ref'`: only its id
   * and code, when the caller has the rest (a form that opens the owner
   * afterwards); the statement and a key's stored result are smaller.
   */
  returning?: 'owner' | 'ref';
}

/** Input of `owners.update`: `version` and the fields to change (null clears one). */
export interface OwnerPatch {
  /** The version read last; a different current version is a ConflictError. */
  version: number;
  fullName?: string;
  phoneNumber?: string | null;
  email?: string | null;
  address?: string | null;
  notes?: string | null;
}

/** Input of `pets.update`: `version` and the fields to change (null clears one). */
export interface PetPatch {
  /** The version read last; a different current version is a ConflictError. */
  version: number;
  name?: string;
  petTypeId?: number;
  breed?: string | null;
  sex?: PetSex;
  /** 'YYYY-MM-DD' */
  birthDate?: string | null;
  microchip?: string | null;
  isDeceased?: boolean;
  /** 'YYYY-MM-DD'; setting it marks the pet deceased. */
  deceasedOn?: string | null;
}

/** Input of `pets.move`. */
export interface PetMove {
  /** An owner of the same clinic. */
  toOwnerId: number;
  /** The pet's version read last. */
  version: number;
}

/** Input of `owners.list`: `limit` (default 20, at most 100) and `cursor` from the previous page. */
export interface PageRequest {
  /** @default 20 */
  limit?: number;
  /** `nextCursor` of the previous page of the same list. */
  cursor?: string;
  /** Each owner with its live pets' names. @default false */
  withPetNames?: boolean;
  /**
   * `'contact'`: id, code, name and phone number only, what a pick list shows
   * (the lean shape of a page). @default 'summary'
   */
  columns?: 'summary' | 'contact';
}

/** Input of `owners.search`: exactly one of `name`, `phone`, `code`; plus paging. */
export interface OwnerSearch extends PageRequest {
  /** Case-insensitive substring; `%`, `_`, `\` are literal. */
  name?: string;
  /** At least 3 digits; matched on national digits by prefix or suffix. */
  phone?: string;
  /** `O-000123`, `o-123` or `123`. */
  code?: string;
}

/** Input of `pets.search`: exactly one of `name`, `code`, `microchip`; plus `limit`, `cursor`. */
export interface PetSearch {
  /** @default 20 */
  limit?: number;
  cursor?: string;
  name?: string;
  /** `P-000456`, `p-456` or `456`. */
  code?: string;
  microchip?: string;
}

/** Input of `staff.add`: `{ role, userId }` links an account, `{ role, email, fullName, password? }` creates one. */
export interface NewStaffMember {
  role: 'doctor' | 'receptionist';
  userId?: number;
  email?: string;
  fullName?: string;
  /** Without one, the account is an invitation that cannot sign in yet. */
  password?: string;
}

/** Input of `staff.list`: optional role and active-flag filters. */
export interface StaffFilter {
  role?: 'clinic_owner' | 'doctor' | 'receptionist';
  isActive?: boolean;
}

/** Options of `owners.export`. */
export interface OwnerExportOptions {
  /** Rows fetched per round trip. @default 1000 */
  batchSize?: number;
  /** The whole export fails with TimeoutError after this many ms. */
  timeoutMs?: number;
}
