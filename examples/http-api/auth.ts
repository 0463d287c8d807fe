/**
 * Who is calling. Clinic routes take the clinic from a signed token, never from
 * the URL or the body: a front end can put any id in a URL, but it cannot sign
 * a token without the secret. The token is
 *
 *   <clinicId>.<expiresAtUnixSeconds>.<base64url HMAC-SHA256(secret, "<clinicId>.<expiresAt>")>
 *
 * sent as `Authorization: Bearer <token>`. Whoever logs a clinic's staff in
 * (your login service) signs it with {@link signClinicToken}. Why a token and
 * not a header set by a trusted proxy: a header is only as safe as the promise
 * that nothing reaches the service except through that proxy, which the
 * service cannot check; a signature it checks itself. In production you would
 * likely use your identity provider's JWT; the check is the same idea.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

function signature(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/**
 * A token for `clinicId`, valid for `ttlSeconds` from `now`.
 *
 * @example
 * const token = signClinicToken(process.env.CLINIC_TOKEN_SECRET!, 42);
 * await fetch('http://127.0.0.1:8080/owners', { headers: { authorization: `Bearer ${token}` } });
 */
export function signClinicToken(
  secret: string,
  clinicId: number,
  ttlSeconds = 3_600,
  now = Date.now(),
): string {
  const payload = `${clinicId}.${Math.floor(now / 1_000) + ttlSeconds}`;
  return `${payload}.${signature(secret, payload)}`;
}

// A SHA-256 signature is 32 bytes: 43 base64url characters.
const tokenPattern = /^([1-9]\d{0,9})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/** The clinic id a well-signed, unexpired token names; `undefined` for anything else. */
export function verifyClinicToken(
  secret: string,
  token: string,
  now = Date.now(),
): number | undefined {
  const [, clinicId = '', expiresAt = '', given = ''] = tokenPattern.exec(token) ?? [];
  if (!given) return undefined;
  const expected = signature(secret, `${clinicId}.${expiresAt}`);
  // Constant time: a byte-by-byte comparison would tell an attacker how much was right.
  if (!timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return undefined;
  if (Number(expiresAt) * 1_000 <= now) return undefined;
  return Number(clinicId);
}

/** Whether `given` equals the operator token, in time that does not depend on where they differ. */
export function isOperatorToken(expected: string, given: string): boolean {
  // Hashing first gives equal lengths, which timingSafeEqual requires.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/** The token of an `Authorization: Bearer <token>` header, or `''`. */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  return match?.[1] ?? '';
}
