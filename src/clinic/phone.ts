/**
 * Phone numbers are stored as typed (`phone_number`) and as their national
 * significant number (`phone_digits`), so every way of writing a number finds
 * the same owner. See docs/tenancy.md, "Phone numbers".
 */
import { ValidationError } from '../errors.js';

/** How numbers are dialled at home in one country, as far as normalising them needs. */
interface DialingPlan {
  /** Longest national significant number (NSN): more digits than this carry a prefix. */
  readonly maxLength: number;
  /** Shortest NSN: stripping a prefix must leave at least this many digits. */
  readonly minLength: number;
  /**
   * Domestic prefixes other than trunk zeros (which every country loses in
   * step 4), tried on a number longer than `maxLength`.
   */
  readonly prefix?: RegExp;
}

/**
 * The dialling plans of the countries the harness generates, by calling code
 * (NANP: the US, Canada and the Caribbean share `1`, a 10-digit NSN and the
 * trunk prefix `1`, which is the calling code itself). Lengths are those of
 * the ITU national numbering plans; where a plan allows rare longer numbers
 * (Germany) the bound is what real numbers use, so a longer number that
 * starts with the calling code is read as dialled with it.
 */
const dialingPlans: Readonly<Record<string, DialingPlan>> = {
  '1': { minLength: 10, maxLength: 10 },
  '31': { minLength: 9, maxLength: 9 },
  '33': { minLength: 9, maxLength: 9 },
  '34': { minLength: 9, maxLength: 9 },
  // Italy has no trunk prefix: a landline's 0 is part of its number (dropped on both sides alike).
  '39': { minLength: 6, maxLength: 11 },
  '44': { minLength: 9, maxLength: 10 },
  '48': { minLength: 9, maxLength: 9 },
  '49': { minLength: 6, maxLength: 11 },
  // Mexico: the retired 01/044/045 domestic prefixes and the mobile 1 after +52, still typed.
  '52': { minLength: 10, maxLength: 10, prefix: /^(?:044|045|01|1)/ },
  // Brazil: trunk 0 followed by a two-digit carrier selection code (0 XX 21 98765-4321).
  '55': { minLength: 10, maxLength: 11, prefix: /^0\d\d/ },
  '90': { minLength: 10, maxLength: 10 },
  '91': { minLength: 10, maxLength: 10 },
  '234': { minLength: 7, maxLength: 10 },
};

/** `digits` without a leading `prefix` match, when what is left is a plausible NSN. */
function dropPrefix(digits: string, prefix: RegExp, plan: DialingPlan): string {
  const match = prefix.exec(digits);
  if (!match) return digits;
  const rest = digits.slice(match[0].length).replace(/^0+/, '');
  return rest.length >= plan.minLength && rest.length <= plan.maxLength
    ? digits.slice(match[0].length)
    : digits;
}

/**
 * `digits` without the calling code it starts with, when longer than any
 * national number and something of national length (or longer: a domestic
 * prefix may follow, `52 1 55 ...`) is left.
 */
function dropCallingCode(digits: string, callingCode: string, plan: DialingPlan): string {
  return digits.length > plan.maxLength &&
    digits.startsWith(callingCode) &&
    digits.length - callingCode.length >= plan.minLength
    ? digits.slice(callingCode.length)
    : digits;
}

/**
 * The national significant number of `raw` for a clinic whose country has the
 * calling code `callingCode` (digits, e.g. `49`):
 * 1. digits only;
 * 2. after a leading `+` or `00`, the calling code is dropped when the number
 *    starts with it (a foreign number keeps its own, so it never matches a
 *    local one); without them, for a country with a known dialling plan, a
 *    number too long to be national that starts with the calling code is read
 *    as dialled with it (`1 415 555 0123`, `49 170 1234567`) and loses it;
 * 3. a known domestic prefix (US trunk `1`, Brazil's carrier code, Mexico's
 *    retired `01`) is dropped from a number too long to be national;
 * 4. leading trunk zeros are dropped.
 *
 * @example
 * nationalDigits('+49 170 123-4567', '49') // '1701234567'
 * nationalDigits('0170 1234567', '49')     // '1701234567'
 * nationalDigits('1 (415) 555-0123', '1')  // '4155550123'
 */
export function nationalDigits(raw: string, callingCode: string): string {
  const trimmed = raw.trim();
  let digits = trimmed.replace(/\D/g, '');
  const plan = dialingPlans[callingCode];
  const international = trimmed.startsWith('+') || digits.startsWith('00');
  if (international) {
    if (!trimmed.startsWith('+')) digits = digits.slice(2);
    if (digits.startsWith(callingCode)) digits = digits.slice(callingCode.length);
  } else if (plan) {
    digits = dropCallingCode(digits, callingCode, plan);
  }
  if (plan?.prefix && digits.replace(/^0+/, '').length > plan.maxLength) {
    digits = dropPrefix(digits, plan.prefix, plan);
  }
  return digits.replace(/^0+/, '');
}

/** How many digits a phone number holds, whatever else it contains. */
export function countDigits(raw: string): number {
  return raw.replace(/\D/g, '').length;
}

/** The phone digits of a typed number, or a ValidationError naming `field`. */
export function phoneDigitsOf(
  phoneNumber: string | null,
  callingCode: string,
  field: string,
): string | null {
  if (phoneNumber === null) return null;
  const digits = nationalDigits(phoneNumber, callingCode);
  if (digits.length < 3) {
    throw new ValidationError([
      { field, message: 'holds fewer than 3 digits after the country code and trunk zeros' },
    ]);
  }
  return digits;
}
