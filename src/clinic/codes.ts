/**
 * Human-readable codes: `O-000123` for owners, `P-000456` for pets, made by the
 * SQL function vz_code(prefix, seq) from the per-clinic sequence number.
 */

/** The code prefixes: owners and pets. */
export type CodePrefix = 'O' | 'P';

/**
 * The sequence number a typed code stands for, or undefined when it is not one:
 * accepts `O-000123`, `o-123`, `O123` and `123` (for prefix `O`).
 */
export function parseCode(prefix: CodePrefix, text: string): number | undefined {
  const match = /^(?:([a-z])\s*-?\s*)?0*(\d{1,10})$/i.exec(text.trim());
  if (!match) return undefined;
  if (match[1] !== undefined && match[1].toUpperCase() !== prefix) return undefined;
  const seq = Number(match[2]);
  return seq > 0 && seq <= 2_147_483_647 ? seq : undefined;
}

/** The code of a sequence number, as the SQL function vz_code makes it: `O-000123`. */
export function formatCode(prefix: CodePrefix, seq: number): string {
  return `${prefix}-${String(seq).padStart(6, '0')}`;
}
