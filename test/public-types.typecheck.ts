// Checked by `npm run typecheck` (tsc), not run by vitest: the public types are
// written by hand (so the published declarations carry no zod internals), and
// each must keep agreeing with the schema that checks it at run time. A field
// added to, removed from or retyped in either side fails here.
import type { z } from 'zod';
import type {
  CreateOwnerOptions,
  createOwnerOptionsSchema,
  exportOptionsSchema,
  NewOwner,
  NewPets,
  NewStaffMember,
  newOwnerSchema,
  newPetsSchema,
  OwnerExportOptions,
  OwnerPatch,
  OwnerSearch,
  ownerPatchSchema,
  ownerSearchSchema,
  PageRequest,
  PetMove,
  PetPatch,
  PetSearch,
  pageSchema,
  petMoveSchema,
  petPatchSchema,
  petSearchSchema,
  StaffFilter,
  staffAddSchema,
  staffFilterSchema,
} from '../src/clinic/inputs.js';
import type {
  OwnerContact,
  OwnerSummary,
  ownerContactSchema,
  ownerSummarySchema,
} from '../src/clinic/owner-page.js';
import type {
  Owner,
  OwnerRef,
  ownerRefSchema,
  ownerSchema,
  Pet,
  PetWithOwner,
  petSchema,
  petWithOwnerSchema,
} from '../src/clinic/rows.js';
import type { StaffMember, staffMemberSchema } from '../src/clinic/staff.js';
import type { clinicSummaryRow } from '../src/platform/clinic-sql.js';
import type { ClinicBrief, ClinicSummary, clinicBriefRow } from '../src/platform/clinics.js';
import type { UserRole, userRoleSchema } from '../src/platform/fields.js';

type Expect<Check extends true> = Check;
type SameKeys<A, B> = [keyof A] extends [keyof B]
  ? [keyof B] extends [keyof A]
    ? true
    : false
  : false;
type Both<A extends boolean, B extends boolean> = A extends true ? B : false;
/** Every value of the public input type passes the schema's type, with the same fields. */
type InputAgrees<Public, Schema extends z.ZodType> = Both<
  [Public] extends [z.input<Schema>] ? true : false,
  SameKeys<NonNullable<Public>, NonNullable<z.input<Schema>>>
>;
/** Every row the schema lets through is a value of the public output type, with the same fields. */
type OutputAgrees<Public, Schema extends z.ZodType> = Both<
  [z.output<Schema>] extends [Public] ? true : false,
  SameKeys<Public, z.output<Schema>>
>;

export type PublicTypesAgreeWithSchemas = [
  Expect<InputAgrees<NewOwner, typeof newOwnerSchema>>,
  Expect<InputAgrees<NewPets, typeof newPetsSchema>>,
  Expect<InputAgrees<OwnerPatch, typeof ownerPatchSchema>>,
  Expect<InputAgrees<PetPatch, typeof petPatchSchema>>,
  Expect<InputAgrees<PetMove, typeof petMoveSchema>>,
  Expect<InputAgrees<PageRequest, typeof pageSchema>>,
  Expect<InputAgrees<OwnerSearch, typeof ownerSearchSchema>>,
  Expect<InputAgrees<PetSearch, typeof petSearchSchema>>,
  Expect<InputAgrees<NewStaffMember, typeof staffAddSchema>>,
  Expect<InputAgrees<StaffFilter, typeof staffFilterSchema>>,
  Expect<InputAgrees<OwnerExportOptions, typeof exportOptionsSchema>>,
  Expect<InputAgrees<CreateOwnerOptions | undefined, typeof createOwnerOptionsSchema>>,
  Expect<OutputAgrees<Pet, typeof petSchema>>,
  Expect<OutputAgrees<Owner, typeof ownerSchema>>,
  Expect<OutputAgrees<OwnerRef, typeof ownerRefSchema>>,
  Expect<OutputAgrees<PetWithOwner, typeof petWithOwnerSchema>>,
  Expect<OutputAgrees<OwnerSummary, typeof ownerSummarySchema>>,
  Expect<OutputAgrees<OwnerContact, typeof ownerContactSchema>>,
  Expect<OutputAgrees<StaffMember, typeof staffMemberSchema>>,
  Expect<OutputAgrees<ClinicSummary, typeof clinicSummaryRow>>,
  Expect<OutputAgrees<ClinicBrief, typeof clinicBriefRow>>,
  Expect<OutputAgrees<UserRole, typeof userRoleSchema>>,
];
