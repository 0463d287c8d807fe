import { copyBinaryBuilder } from './copy-binary.js';
import { copyEscape, NULL } from './copy-text.js';
import { type CountryProfile, countryProfiles, randomNationalNumber } from './countries.js';
import { addMonths, DayStrings, toEpochDay } from './dates.js';
import { namePool, petNamePool } from './names.js';
import type { GeneratorOptions } from './options.js';
import { drawPetCount, drawSex, speciesTable } from './pets.js';
import { createPrng, type Prng, weighted } from './prng.js';

/** Column lists of the COPY statements, in the order the generator writes them. */
export const copyColumns = {
  users: [
    'id',
    'email',
    'full_name',
    'role',
    'password_hash',
    'is_active',
    'created_at',
    'updated_at',
    'staff_clinic_id',
  ],
  clinics: [
    'id',
    'owner_user_id',
    'country_code',
    'clinic_name',
    'owner_phone_number',
    'clinic_phone_number',
    'created_at',
    'updated_at',
  ],
  clinic_staff: ['clinic_id', 'user_id', 'role', 'is_active', 'created_at', 'deactivated_at'],
  subscription_history: [
    'clinic_id',
    'id',
    'group_id',
    'subscription_type_id',
    'payment_method_id',
    'status',
    'starts_on',
    'ends_on',
    'amount',
    'activated_by',
    'activated_at',
    'suspended_by',
    'suspended_at',
  ],
  clinic_counters: ['clinic_id', 'last_owner_seq', 'last_pet_seq'],
  owners: [
    'clinic_id',
    'id',
    'seq',
    'full_name',
    'phone_number',
    'phone_digits',
    'email',
    'archived_at',
    'created_at',
    'updated_at',
  ],
  pets: [
    'clinic_id',
    'id',
    'owner_id',
    'seq',
    'name',
    'pet_type_id',
    'breed',
    'sex',
    'birth_date',
    'microchip',
    'deceased_on',
    'is_deceased',
    'created_at',
    'updated_at',
  ],
} as const;

/** The next id to use in each identity column and sequence the generator fills. */
export interface IdCursor {
  user: number;
  clinic: number;
  subscription: number;
  group: number;
  owner: number;
}

/** Everything about one clinic except its owners and pets, which are streamed. */
export interface ClinicPlan {
  /** 1-based position in the generated data set: clinic `ordinal`'s data never changes. */
  readonly ordinal: number;
  readonly clinicId: number;
  readonly country: CountryProfile;
  readonly clinicName: string;
  readonly ownerCount: number;
  /** owners.id of the clinic's first owner; the others follow without gaps. */
  readonly ownerIdBase: number;
  /** COPY text lines (each ending in a newline) of the small tables. */
  readonly lines: {
    readonly users: string;
    readonly clinics: string;
    readonly clinic_staff: string;
    readonly subscription_history: string;
  };
  /** Epoch days: when the clinic joined, and the data set's "today". */
  readonly createdDay: number;
  readonly anchorDay: number;
}

const countryTable = weighted(countryProfiles.map((profile) => [profile, profile.weight] as const));
const paymentMethods = weighted([
  [1, 60],
  [2, 25],
  [3, 5],
  [4, 10],
] as const);

/** subscription_types rows of sql/0003 (id, months, price), so amounts match the plan. */
const plans = [
  { id: 1, months: 1, price: '49.00' },
  { id: 3, months: 6, price: '269.00' },
  { id: 2, months: 3, price: '139.00' },
  { id: 4, months: 12, price: '499.00' },
] as const;

/** The plan whose duration gives `perYear` records a year; monthly when none does. */
export function planFor(perYear: number): (typeof plans)[number] {
  return plans.find((plan) => plan.months * perYear === 12) ?? plans[0];
}

/** Owners of clinic `ordinal` (the spread option varies clinics around the average). */
export function ownerCountOf(options: GeneratorOptions, ordinal: number): number {
  if (options.ownerSpread === 0) return options.ownersPerClinic;
  const prng = createPrng(options.seed, 'clinic', ordinal, 'size');
  const factor = 1 + (prng.next() * 2 - 1) * options.ownerSpread;
  return Math.max(1, Math.round(options.ownersPerClinic * factor));
}

function fullName(
  country: CountryProfile,
  prng: Prng,
): { text: string; first: number; last: number } {
  const pool = namePool(country.locale, country.cities);
  const first = prng.int(pool.firstNames.length);
  const last = prng.int(pool.lastNames.length);
  let text = `${pool.firstNames[first]} ${pool.lastNames[last]}`;
  if (country.doubleSurname > 0 && prng.chance(country.doubleSurname))
    text += ` ${prng.pick(pool.lastNames)}`;
  return { text, first, last };
}

/** The platform administrator who activates every generated subscription. */
export const platformAdmin = {
  email: 'platform.admin@vetalyze-bench.example.com',
  fullName: 'Platform Administrator',
} as const;

/**
 * Plans clinic `ordinal`: its country, name, staff accounts and subscription
 * history, taking ids from `ids` (advanced in place).
 */
export function planClinic(
  options: GeneratorOptions,
  ordinal: number,
  ids: IdCursor,
  adminUserId: number,
  days: DayStrings = new DayStrings(),
): ClinicPlan {
  const prng = createPrng(options.seed, 'clinic', ordinal);
  const country = countryTable.pick(prng);
  const pool = namePool(country.locale, country.cities);
  const template = prng.pick(country.clinicNames);
  const clinicName = template
    .replace('{last}', prng.pick(pool.lastNames))
    .replace('{city}', prng.pick(pool.cities));
  const clinicId = ids.clinic++;
  const anchorDay = toEpochDay(options.anchorDate);

  // Subscription periods, laid out backwards from the current one.
  const plan = planFor(options.subscriptionsPerYear);
  const recordCount = options.subscriptionsPerYear * options.subscriptionYears;
  const fate = prng.next();
  const lapsed = fate < 0.05; // the last period ended without renewal
  const suspended = !lapsed && fate < 0.11; // the current period is suspended
  const periodDay = prng.between(1, 28);
  const anchorDate = new Date(anchorDay * 86_400_000);
  let start = Math.floor(
    Date.UTC(anchorDate.getUTCFullYear(), anchorDate.getUTCMonth(), periodDay) / 86_400_000,
  );
  if (start > anchorDay) start = addMonths(start, -1);
  if (lapsed) start = addMonths(start, -plan.months - prng.int(2));
  const breakAt = prng.chance(0.15) ? prng.between(1, recordCount - 1) : -1;
  const periods: { start: number; end: number; breaksAfter: boolean }[] = [];
  let end = addMonths(start, plan.months);
  for (let i = recordCount - 1; i >= 0; i--) {
    periods.unshift({ start, end, breaksAfter: i === breakAt - 1 });
    // A break: the chain lapsed for a few days before the clinic subscribed again.
    end = start - (i === breakAt ? prng.between(3, 20) : 0);
    start = addMonths(end, -plan.months);
  }
  const first = periods[0] as { start: number };
  const createdDay = first.start - prng.int(3);
  const createdMinute = prng.between(8 * 60, 18 * 60);

  // Staff: the owner, then doctors and receptionists; emails carry the ordinal, so they never collide.
  const staffCount = prng.between(options.staffMin, options.staffMax);
  let users = '';
  let staff = '';
  let ownerUserId = 0;
  for (let i = 0; i < staffCount; i++) {
    const role =
      i === 0 ? 'clinic_owner' : i <= Math.ceil((staffCount - 1) / 2) ? 'doctor' : 'receptionist';
    const name = fullName(country, prng);
    const userId = ids.user++;
    if (i === 0) ownerUserId = userId;
    const email = `${pool.firstAscii[name.first]}.${pool.lastAscii[name.last]}.c${ordinal}s${i}@example.com`;
    const joined = createdDay + (i === 0 ? 0 : prng.int(60));
    const joinedAt = days.timestamp(joined, prng.between(8 * 60, 18 * 60));
    const active = i === 0 || !prng.chance(0.05);
    users += `${userId}\t${email}\t${copyEscape(name.text)}\t${role}\t${NULL}\t${active ? 't' : 'f'}\t${joinedAt}\t${joinedAt}\t${clinicId}\n`;
    const deactivatedAt = active ? NULL : days.timestamp(joined + 30 + prng.int(200), 600);
    staff += `${clinicId}\t${userId}\t${role}\t${active ? 't' : 'f'}\t${joinedAt}\t${deactivatedAt}\n`;
  }

  const clinicPhone = randomNationalNumber(country, prng);
  const ownerPhone = randomNationalNumber(country, prng);
  const createdAt = days.timestamp(createdDay, createdMinute);
  const clinics = `${clinicId}\t${ownerUserId}\t${country.code}\t${copyEscape(clinicName)}\t${country.international(ownerPhone)}\t${country.national(clinicPhone)}\t${createdAt}\t${createdAt}\n`;

  let subscriptions = '';
  let group = ids.group++;
  let paymentMethod = paymentMethods.pick(prng);
  for (let i = 0; i < periods.length; i++) {
    const period = periods[i] as (typeof periods)[number];
    const last = i === periods.length - 1;
    let status: string;
    if (!last) status = period.breaksAfter ? 'expired' : 'renewed';
    else if (lapsed) status = 'expired';
    else status = suspended ? 'suspended' : 'active';
    if (prng.chance(0.05)) paymentMethod = paymentMethods.pick(prng);
    const activatedAt = days.timestamp(period.start, prng.between(8 * 60, 18 * 60));
    let suspendedBy = NULL;
    let suspendedAt = NULL;
    if (status === 'suspended') {
      suspendedBy = String(adminUserId);
      suspendedAt = days.timestamp(Math.min(anchorDay, period.start + prng.int(20)), 720);
    }
    subscriptions += `${clinicId}\t${ids.subscription++}\t${group}\t${plan.id}\t${paymentMethod}\t${status}\t${days.date(period.start)}\t${days.date(period.end)}\t${plan.price}\t${adminUserId}\t${activatedAt}\t${suspendedBy}\t${suspendedAt}\n`;
    if (period.breaksAfter) group = ids.group++;
  }

  const ownerCount = ownerCountOf(options, ordinal);
  const ownerIdBase = ids.owner;
  ids.owner += ownerCount;
  return {
    ordinal,
    clinicId,
    country,
    clinicName,
    ownerCount,
    ownerIdBase,
    lines: { users, clinics, clinic_staff: staff, subscription_history: subscriptions },
    createdDay,
    anchorDay,
  };
}

/** Epoch day on which owner number `index` (0-based) of a clinic was registered: spread evenly. */
function ownerDay(plan: ClinicPlan, index: number): number {
  const span = Math.max(1, plan.anchorDay - plan.createdDay);
  return plan.createdDay + Math.floor((index * span) / plan.ownerCount);
}

/** Fields of an owner row, in {@link copyColumns}' order. */
const ownerFields = copyColumns.owners.length;

/**
 * COPY binary rows of the clinic's owners (seq 1..ownerCount). Its own random
 * stream, so the owners can be generated independently of the pets; the same
 * draws in the same order as the text rows this replaced.
 */
export function ownersRows(options: GeneratorOptions, plan: ClinicPlan): Buffer {
  const prng = createPrng(options.seed, 'clinic', plan.ordinal, 'owners');
  const pool = namePool(plan.country.locale, plan.country.cities);
  const { country, clinicId } = plan;
  const rows = copyBinaryBuilder(plan.ownerCount * 140);
  for (let index = 0; index < plan.ownerCount; index++) {
    const name = fullName(country, prng);
    let phone: string | null = null;
    let digits: string | null = null;
    if (prng.chance(0.95)) {
      digits = randomNationalNumber(country, prng);
      phone = prng.chance(0.7) ? country.national(digits) : country.international(digits);
    }
    const email = prng.chance(0.45)
      ? `${pool.firstAscii[name.first]}.${pool.lastAscii[name.last]}${prng.int(100)}@example.net`
      : null;
    const createdDay = ownerDay(plan, index);
    const createdMinute = prng.between(8 * 60, 19 * 60);
    const archivedDay = prng.chance(0.01) ? plan.anchorDay - prng.int(90) : null;
    rows.row(ownerFields);
    rows.int4(clinicId);
    rows.int4(plan.ownerIdBase + index);
    rows.int4(index + 1);
    rows.text(name.text);
    if (phone === null || digits === null) {
      rows.null();
      rows.null();
    } else {
      rows.text(phone);
      rows.text(digits);
    }
    if (email === null) rows.null();
    else rows.text(email);
    if (archivedDay === null) rows.null();
    else rows.timestamptz(archivedDay, 600);
    rows.timestamptz(createdDay, createdMinute);
    rows.timestamptz(createdDay, createdMinute);
  }
  return rows.bytes();
}

/** ISO 11784 manufacturer codes used for microchip numbers. */
const chipPrefixes = ['900', '941', '956', '968', '981', '985'];

/**
 * A 15-digit microchip number unique within a clinic (and across the data set
 * while pets per clinic stay below a million): a 3-digit manufacturer code and
 * a 3-round Feistel permutation of (ordinal, pet seq) on two 6-digit halves,
 * which is a bijection, so distinct inputs never share a number.
 */
export function microchipOf(ordinal: number, petSeq: number): string {
  let left = ordinal % 1_000_000;
  let right = petSeq % 1_000_000;
  for (let round = 1; round <= 3; round++) {
    const mixed = (((right * 7_919 + round * 104_729) % 1_000_000) * 31 + 17) % 1_000_000;
    const next = (left + mixed) % 1_000_000;
    left = right;
    right = next;
  }
  return (
    chipPrefixes[(ordinal + petSeq) % chipPrefixes.length] +
    String(left).padStart(6, '0') +
    String(right).padStart(6, '0')
  );
}

/** Fields of a pet row, in {@link copyColumns}' order. */
const petFields = copyColumns.pets.length;

/**
 * COPY binary rows of the clinic's pets, ids from `petIdBase`; returns the
 * bytes and the count. The same draws in the same order as the text rows this
 * replaced, so a seed gives the same pets as before.
 */
export function petsRows(
  options: GeneratorOptions,
  plan: ClinicPlan,
  petIdBase: number,
): { bytes: Buffer; count: number } {
  const prng = createPrng(options.seed, 'clinic', plan.ordinal, 'pets');
  const names = petNamePool(plan.country.locale);
  const { clinicId } = plan;
  const rows = copyBinaryBuilder(Math.ceil(plan.ownerCount * options.petsPerOwner * 130));
  let seq = 0;
  for (let index = 0; index < plan.ownerCount; index++) {
    const count = drawPetCount(options.petsPerOwner, prng);
    const ownerId = plan.ownerIdBase + index;
    const registered = ownerDay(plan, index);
    for (let p = 0; p < count; p++) {
      seq++;
      const species = speciesTable.pick(prng);
      const breed =
        species.breeds.length > 0 && prng.chance(species.breedShare)
          ? prng.pick(species.breeds)
          : null;
      const ageDays = prng.int(species.maxAgeYears * 365) + 30;
      const birthDay = plan.anchorDay - ageDays;
      const birth = prng.chance(0.9) ? birthDay : null;
      const chip = prng.chance(species.microchipShare) ? microchipOf(plan.ordinal, seq) : null;
      const deceased = prng.chance(0.03);
      const deceasedOn = deceased
        ? Math.min(plan.anchorDay, birthDay + prng.int(ageDays) + 1)
        : null;
      const createdDay = Math.min(plan.anchorDay, registered + (p === 0 ? 0 : prng.int(400)));
      const createdMinute = prng.between(8 * 60, 19 * 60);
      const name = prng.pick(names);
      const sex = drawSex(species, prng);
      rows.row(petFields);
      rows.int4(clinicId);
      rows.int4(petIdBase + seq - 1);
      rows.int4(ownerId);
      rows.int4(seq);
      rows.text(name);
      rows.int2(species.petTypeId);
      if (breed === null) rows.null();
      else rows.text(breed);
      rows.text(sex);
      if (birth === null) rows.null();
      else rows.date(birth);
      if (chip === null) rows.null();
      else rows.text(chip);
      if (deceasedOn === null) rows.null();
      else rows.date(deceasedOn);
      rows.bool(deceased);
      rows.timestamptz(createdDay, createdMinute);
      rows.timestamptz(createdDay, createdMinute);
    }
  }
  return { bytes: rows.bytes(), count: seq };
}
