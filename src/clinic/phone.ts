/**
 * Phone numbers are stored as typed (`phone_number`) and as their national
 * significant number (`phone_digits`), so every way of writing a number finds
 * the same owner. See docs/tenancy.md, "Phone numbers".
 */
import { ValidationError } from '../errors.js';

/**
 * The national significant number of `raw` for a clinic whose country has the
 * calling code `callingCode` (digits, e.g. `49`): digits only; after a leading
 * `+` or `00` the calling code is dropped when the number starts with it; then
 * leading trunk zeros are dropped.
 *
 * @example
 * nationalDigits('+49 170 123-4567', '49') // '1701234567'
 * nationalDigits('0170 1234567', '49')     // '1701234567'
 */
export function nationalDigits(raw: string, callingCode: string): string {
  const trimmed = raw.trim();
  let digits = trimmed.replace(/\D/g, '');
  const international = trimmed.startsWith('+') || digits.startsWith('00');
  if (international) {
    if (!trimmed.startsWith('+')) digits = digits.slice(2);
    // A foreign number keeps its own calling code, so it never matches a local one.
    if (digits.startsWith(callingCode)) digits = digits.slice(callingCode.length);
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
