import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatCode, parseCode } from '../../src/clinic/codes.js';
import { newPetSchema } from '../../src/clinic/inputs.js';
import { hasTrigram, phoneRanges } from '../../src/clinic/owner-page.js';
import { nationalDigits } from '../../src/clinic/phone.js';
import { containsPattern, escapeLike } from '../../src/like.js';

describe('nationalDigits', () => {
  it.each([
    ['+49 170 123-4567', '49', '1701234567'],
    ['0049 170 1234567', '49', '1701234567'],
    ['0170 1234567', '49', '1701234567'],
    ['1701234567', '49', '1701234567'],
    ['(0170) 123 45 67', '49', '1701234567'],
    ['+44 20 7946 0958', '44', '2079460958'],
    ['020 7946 0958', '44', '2079460958'],
    ['+1 (212) 555-0123', '1', '2125550123'],
    // A foreign number keeps its calling code, so it cannot match a local one.
    ['+44 20 7946 0958', '49', '442079460958'],
  ])('%s in a +%s clinic is %s', (raw, callingCode, digits) => {
    expect(nationalDigits(raw, callingCode)).toBe(digits);
  });
});

describe('codes', () => {
  it.each([
    ['O-000123', 123],
    ['o-123', 123],
    ['O123', 123],
    ['123', 123],
    [' 0000042 ', 42],
  ])('parses %s as %d', (text, seq) => {
    expect(parseCode('O', text)).toBe(seq);
  });

  it.each(['P-000123', 'O-', 'O-0', 'abc', '', 'O-99999999999'])(
    'refuses %s as an owner code',
    (text) => {
      expect(parseCode('O', text)).toBeUndefined();
    },
  );

  it('formats like vz_code, widening past six digits', () => {
    expect(formatCode('P', 456)).toBe('P-000456');
    expect(formatCode('O', 1_234_567)).toBe('O-1234567');
  });
});

describe('LIKE escaping', () => {
  it('escapes the backslash, percent and underscore', () => {
    expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
    expect(containsPattern('a_b')).toBe('%a\\_b%');
  });
});

describe('hasTrigram', () => {
  it.each([
    ['mül', true],
    ['Müller', true],
    ['a b c', false],
    ['x_m', false],
    ['mü', false],
    ['100%', true],
    ['--', false],
  ])('%s: %s', (term, expected) => {
    expect(hasTrigram(term)).toBe(expected);
  });
});

describe('phoneRanges', () => {
  it('bounds the digits typed and their reverse, the last digit raised by one byte', () => {
    expect(phoneRanges('170123')).toEqual({
      from: '170123',
      to: '170124',
      reversedFrom: '321071',
      reversedTo: '321072',
    });
    // '9' + 1 is ':', which sorts after every digit: '309' covers 309... only.
    expect(phoneRanges('309')).toEqual({
      from: '309',
      to: '30:',
      reversedFrom: '903',
      reversedTo: '904',
    });
  });
});

describe('a pet birth date', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const accepts = (birthDate: string) =>
    newPetSchema.safeParse({ name: 'Rex', petTypeId: 1, birthDate }).success;

  it('may be tomorrow in UTC, not later, as the clock moves either way', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-03-10T23:59:59Z'));
    expect([accepts('2026-03-11'), accepts('2026-03-12')]).toEqual([true, false]);
    vi.setSystemTime(new Date('2026-03-11T00:00:00Z'));
    expect([accepts('2026-03-12'), accepts('2026-03-13')]).toEqual([true, false]);
    vi.setSystemTime(new Date('2020-01-01T12:00:00Z'));
    expect([accepts('2020-01-02'), accepts('2020-01-03')]).toEqual([true, false]);
  });
});
