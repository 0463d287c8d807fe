import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { text } from '../validation.js';

/**
 * Staff-account passwords, for both scopes (operators create owners' accounts,
 * clinics add their doctors and receptionists): the password rule and hashing
 * with node:crypto scrypt. A hash is stored as
 * `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>`, so its cost parameters
 * travel with it and can be raised later without breaking old hashes.
 * Nothing here ever logs or returns a password; callers must never return a hash.
 */

/**
 * 8 to 1024 characters, checked but not NFC-normalised (the hash normalises
 * NFKC itself). The upper bound keeps a hash request cheap; the messages never
 * echo the value.
 */
export const passwordSchema = text({ nfc: false }).min(8).max(1024);

interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** 2^15 x 8 x 1: 32 MiB and about 50-100 ms per hash on one core, well above OWASP's floor. */
const currentCost: ScryptCost = { N: 32_768, r: 8, p: 1 };
const saltBytes = 16;
const keyBytes = 32;
// Bounds for parameters read back from the database, so a tampered row cannot
// make one login allocate gigabytes.
const maxN = 1_048_576;
const maxR = 32;
const maxP = 16;

function derive(password: string, salt: Buffer, cost: ScryptCost, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      length,
      { ...cost, maxmem: 256 * cost.N * cost.r + 1_048_576 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** Hashes a password with a fresh 16-byte random salt (async: runs on the libuv pool). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes);
  const key = await derive(password, salt, currentCost, keyBytes);
  const { N, r, p } = currentCost;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash {
  readonly cost: ScryptCost;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (N === undefined || r === undefined || p === undefined) return null;
  const isPowerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!isPowerOfTwo || N > maxN) return null;
  if (!Number.isInteger(r) || r < 1 || r > maxR || !Number.isInteger(p) || p < 1 || p > maxP)
    return null;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const key = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length === 0 || key.length < 16) return null;
  return { cost: { N, r, p }, salt, key };
}

// Verified against when there is no usable hash (unknown email, invitation, bad
// row), so every failure costs one full derivation, like a success.
const dummy: ParsedHash = {
  cost: currentCost,
  salt: randomBytes(saltBytes),
  key: randomBytes(keyBytes),
};

/**
 * True when `password` matches `stored`. With no usable `stored` hash it still
 * derives a key (against a dummy) and returns false, so the time taken does not
 * tell an unknown account from a wrong password.
 */
export async function verifyPasswordHash(
  password: string,
  stored: string | null,
): Promise<boolean> {
  const parsed = stored === null ? null : parseHash(stored);
  const target = parsed ?? dummy;
  const key = await derive(password, target.salt, target.cost, target.key.length);
  const matches = timingSafeEqual(key, target.key);
  return parsed !== null && matches;
}
