/**
 * Every operation the harness measures, with the seed's documented figure
 * (the scale analysis of the Django system this library replaces, "Query Performance Estimates"), our p95
 * budget at 1000 clinics and the raw-driver floor (measured on the 2-core dev machine). The one
 * place these numbers live; reports and `--check` read them from here.
 */

/** A latency range in milliseconds, as the seed writes them ("80-120ms"). */
export interface MsRange {
  readonly low: number;
  readonly high: number;
}

/** Which part of the API an operation belongs to (flat-cost rule: `clinic` scope). */
export type OperationScope = 'platform' | 'clinic' | 'subscriptions' | 'cache';

/** The seed's figures for one operation, by the column their table uses. */
export type SeedFigures =
  /** Columns by number of clinics (the seed's clinic and subscription tables). */
  | {
      readonly by: 'clinics';
      readonly at50: MsRange;
      readonly at300: MsRange;
      readonly at1000: MsRange;
    }
  /** Columns by owners per clinic (the seed's owner/pet table: 1K, 2K, 3K owners). */
  | {
      readonly by: 'owners';
      readonly at1k: MsRange;
      readonly at2k: MsRange;
      readonly at3k: MsRange;
    }
  /** No number: the seed names a mechanism (a Redis round trip). */
  | { readonly by: 'none'; readonly text: string };

/** One measured operation. */
export interface OperationTarget {
  /** Stable id, used in reports and by `compare`. */
  readonly id: string;
  /** The seed's wording. */
  readonly label: string;
  readonly scope: OperationScope;
  readonly kind: 'read' | 'write';
  readonly seed: SeedFigures;
  /** Our p95 budget at 1000 clinics on the 2-core dev machine, ms (held at every scale). */
  readonly budgetP95Ms: number;
  /** Raw node-postgres with named prepared statements on the same data, ms. */
  readonly floorMs: number | null;
  /**
   * What the library returns or does beyond what the seed's operation needs,
   * against the lean reference (bench/lean/); null when nothing, or without one.
   */
  readonly leanNote: string | null;
}

const range = (low: number, high: number): MsRange => ({ low, high });

/** The seed's operations (DESIGN.md, "The seed's operations"), in report order. */
export const operationTargets: readonly OperationTarget[] = [
  {
    id: 'clinics.list',
    label: 'list clinics, page of 20, with active subscription and status',
    scope: 'platform',
    kind: 'read',
    seed: { by: 'clinics', at50: range(15, 25), at300: range(40, 60), at1000: range(80, 120) },
    budgetP95Ms: 1.5,
    floorMs: 0.67,
    leanNote:
      "called with columns: 'brief' (id, name, country, clinic phone, status, plan, end date); the default summary adds the owner's user id, the owner's phone, version, timestamps and the open subscription as an 8-field JSON object",
  },
  {
    id: 'clinics.search',
    label: 'search clinics by name',
    scope: 'platform',
    kind: 'read',
    seed: { by: 'clinics', at50: range(5, 10), at300: range(10, 20), at1000: range(20, 40) },
    budgetP95Ms: 1.5,
    floorMs: 0.82,
    leanNote:
      "called with columns: 'contact' (id, name, clinic phone), what a search result needs, as the lean statement returns; the statement reads a window of the newest clinics before the trigram index. The default summary adds the open subscription as JSON, status, the owner's phone, version and timestamps",
  },
  {
    id: 'clinics.get',
    label: 'clinic detail',
    scope: 'platform',
    kind: 'read',
    seed: { by: 'clinics', at50: range(20, 30), at300: range(30, 50), at1000: range(50, 80) },
    budgetP95Ms: 1.0,
    floorMs: 0.56,
    leanNote:
      "also returns the owner's user id, the calling code and timestamps, and builds the open subscription as an 8-field JSON object",
  },
  {
    id: 'clinics.create',
    label: 'create clinic (with owner account)',
    scope: 'platform',
    kind: 'write',
    seed: { by: 'clinics', at50: range(15, 25), at300: range(20, 30), at1000: range(30, 50) },
    budgetP95Ms: 2.5,
    floorMs: 1.02,
    leanNote:
      'returns the whole detail (owner, country name and calling code, status, staff counts) where the caller needs the new id',
  },
  {
    id: 'clinics.update',
    label: 'update clinic',
    scope: 'platform',
    kind: 'write',
    seed: { by: 'clinics', at50: range(15, 25), at300: range(20, 30), at1000: range(30, 50) },
    budgetP95Ms: 2.0,
    floorMs: 0.95,
    leanNote:
      "returns the clinic's 9 columns (the narrow return) where the caller needs the new version",
  },
  {
    id: 'owners.list',
    label: 'list owners, page of 20',
    scope: 'clinic',
    kind: 'read',
    seed: { by: 'owners', at1k: range(20, 35), at2k: range(30, 50), at3k: range(40, 70) },
    budgetP95Ms: 0.6,
    floorMs: 0.27,
    leanNote:
      "called with columns: 'contact' (id, code, name, phone); the default summary adds e-mail, address, notes, version and timestamps",
  },
  {
    id: 'owners.searchName',
    label: 'search owners by name (terms of 1-5 chars)',
    scope: 'clinic',
    kind: 'read',
    seed: { by: 'owners', at1k: range(10, 20), at2k: range(15, 30), at3k: range(20, 40) },
    budgetP95Ms: 1.2,
    floorMs: 0.57,
    leanNote:
      "called with columns: 'contact' (id, code, name, phone); the default summary adds e-mail, address, notes, version and timestamps",
  },
  {
    id: 'owners.searchPhone',
    label: 'search owners by phone',
    scope: 'clinic',
    kind: 'read',
    seed: { by: 'owners', at1k: range(8, 15), at2k: range(12, 25), at3k: range(18, 35) },
    budgetP95Ms: 1.2,
    floorMs: 0.62,
    leanNote:
      "called with columns: 'contact' (id, code, name, phone); the default summary adds e-mail, address, notes, version and timestamps",
  },
  {
    id: 'owners.get',
    label: 'owner with pets',
    scope: 'clinic',
    kind: 'read',
    seed: { by: 'owners', at1k: range(15, 25), at2k: range(20, 35), at3k: range(30, 50) },
    budgetP95Ms: 0.5,
    floorMs: 0.22,
    leanNote:
      "builds the pets as a JSON array (12 fields each, codes included) and returns the owner's code and timestamps",
  },
  {
    id: 'owners.create',
    label: 'create owner with 3 pets',
    scope: 'clinic',
    kind: 'write',
    seed: { by: 'owners', at1k: range(20, 35), at2k: range(25, 40), at3k: range(35, 60) },
    budgetP95Ms: 3.0,
    floorMs: 1.41,
    leanNote:
      "called with returning: 'ref' (id and code); the default returns the owner with its pets as JSON (every column, codes) where the caller needs the new id",
  },
  {
    id: 'owners.createKeyed',
    label: 'create owner with 3 pets, with an idempotency key',
    scope: 'clinic',
    kind: 'write',
    seed: { by: 'owners', at1k: range(20, 35), at2k: range(25, 40), at3k: range(35, 60) },
    budgetP95Ms: 3.5,
    floorMs: null,
    leanNote:
      "called with returning: 'ref' (id and code, which the key stores; the default stores and returns the whole owner with pets); deletes a stale key and up to 4 expired keys of the clinic on every call",
  },
  {
    id: 'subscriptions.listActive',
    label: 'list active subscriptions, page of 20',
    scope: 'subscriptions',
    kind: 'read',
    seed: { by: 'clinics', at50: range(20, 30), at300: range(40, 70), at1000: range(80, 150) },
    budgetP95Ms: 1.0,
    floorMs: 0.45,
    leanNote:
      "called with columns: 'brief' (record id, clinic id and name, plan, end date, amount); the default record adds the group, payment method, status, start date and who activated, suspended, reactivated it, and when",
  },
  {
    id: 'subscriptions.listByMonth',
    label: 'subscriptions by month and year',
    scope: 'subscriptions',
    kind: 'read',
    seed: { by: 'clinics', at50: range(15, 25), at300: range(30, 50), at1000: range(60, 100) },
    budgetP95Ms: 1.5,
    floorMs: 0.63,
    leanNote:
      "called with totals: false (the seed's month filter); returns all 15 columns of each record. The default adds the month's count and sum, which read every record of the month (docs/capacity-planning.md gives their measured cost)",
  },
  {
    id: 'subscriptions.activate',
    label: 'create subscription',
    scope: 'subscriptions',
    kind: 'write',
    seed: { by: 'clinics', at50: range(20, 30), at300: range(25, 40), at1000: range(35, 60) },
    budgetP95Ms: 2.0,
    floorMs: 0.97,
    leanNote: "returns the new record's 15 columns where the caller needs its id",
  },
  {
    id: 'subscriptions.suspendReactivate',
    label: 'suspend / reactivate',
    scope: 'subscriptions',
    kind: 'write',
    seed: { by: 'clinics', at50: range(25, 40), at300: range(30, 50), at1000: range(40, 70) },
    budgetP95Ms: 1.6,
    floorMs: 0.78,
    leanNote: "returns the record's 15 columns where the caller needs to know it changed",
  },
  {
    id: 'clinics.statusCached',
    label: 'clinic status, cached',
    scope: 'cache',
    kind: 'read',
    seed: { by: 'none', text: 'a Redis round trip' },
    budgetP95Ms: 0.01,
    floorMs: null,
    leanNote: null,
  },
];

/** The seed's figure for one operation at one scale, and how it was obtained. */
export interface SeedFigureAt {
  readonly low: number;
  readonly high: number;
  /** 'seed' (a column of the seed's table), 'interpolated' or 'clamped'; with the columns used. */
  readonly source: string;
}

function interpolate(x: number, points: readonly (readonly [number, MsRange])[]): SeedFigureAt {
  const first = points[0] as readonly [number, MsRange];
  const last = points[points.length - 1] as readonly [number, MsRange];
  const exact = points.find(([at]) => at === x);
  if (exact) return { ...exact[1], source: `seed column ${exact[0]}` };
  if (x < first[0]) return { ...first[1], source: `seed column ${first[0]} (below the table)` };
  if (x > last[0]) return { ...last[1], source: `seed column ${last[0]} (above the table)` };
  for (let i = 1; i < points.length; i++) {
    const [x0, r0] = points[i - 1] as readonly [number, MsRange];
    const [x1, r1] = points[i] as readonly [number, MsRange];
    if (x > x0 && x < x1) {
      const t = (x - x0) / (x1 - x0);
      const round = (value: number) => Math.round(value * 10) / 10;
      return {
        low: round(r0.low + t * (r1.low - r0.low)),
        high: round(r0.high + t * (r1.high - r0.high)),
        source: `interpolated between seed columns ${x0} and ${x1}`,
      };
    }
  }
  return { ...last[1], source: `seed column ${last[0]}` };
}

/**
 * The seed's figure at `clinics` clinics with `ownersPerClinic` owners each:
 * clinic and subscription operations interpolate linearly between the seed's
 * 50/300/1000-clinic columns (100 and 500 clinics are interpolated); owner and
 * pet operations depend on owners per clinic, not on clinics, and interpolate
 * between the 1K/2K/3K-owner columns (1,500 owners: halfway between 1K and 2K).
 * Null for an operation the seed gives no number for.
 */
export function seedFigureAt(
  target: OperationTarget,
  clinics: number,
  ownersPerClinic: number,
): SeedFigureAt | null {
  const seed = target.seed;
  if (seed.by === 'none') return null;
  if (seed.by === 'clinics')
    return interpolate(clinics, [
      [50, seed.at50],
      [300, seed.at300],
      [1000, seed.at1000],
    ]);
  const figure = interpolate(ownersPerClinic, [
    [1000, seed.at1k],
    [2000, seed.at2k],
    [3000, seed.at3k],
  ]);
  return { ...figure, source: `${figure.source} (owners per clinic)` };
}

/** The seed's storage estimate "with indexes" by clinics (the seed's scale analysis), bytes. */
export const seedStorageWithIndexes: readonly (readonly [number, number])[] = [
  [50, 170e6],
  [100, 330e6],
  [150, 500e6],
  [200, 660e6],
  [300, 1e9],
  [400, 1.3e9],
  [500, 1.65e9],
  [700, 2.3e9],
  [1000, 3.3e9],
];

/** The seed's storage estimate at `clinics` (interpolated between its rows), bytes. */
export function seedStorageAt(clinics: number): number {
  const points = seedStorageWithIndexes.map(
    ([at, bytes]) => [at, { low: bytes, high: bytes }] as const,
  );
  return interpolate(clinics, points).low;
}

/** The other budgets, each measured side by side in one run. */
export const budgets = {
  /** Ours / raw node-postgres on the same statements, at p50 and at p95. */
  overheadRatioP50: 1.15,
  overheadRatioP95: 1.3,
  /** Ours / the lean reference (bench/lean/) on the same inputs, at p50. */
  leanRatioP50: 1.3,
  /** Open loop: library p95 and p99 / raw's at the same rate, at most. */
  loadLatencyRatio: 1.3,
  /** Open loop: the library's highest rate sustained / raw's, at least. */
  loadSustainedRatio: 0.9,
  /** Open loop: a rate is sustained when nothing saturated and p99 is under this. */
  loadSustainedP99Ms: 10,
  /** p95 at 1000 clinics / p95 at 50 clinics, for every clinic-scope operation. */
  flatCostRatio: 1.5,
  /** Library ops/s / raw ops/s, 8 concurrent callers, mixed clinic-scope reads. */
  throughputRatio: 0.9,
  throughputP99Ms: 10,
  throughputCallers: 8,
  throughputSeconds: 20,
  /** Database size with indexes at 1000 clinics. */
  storageBytesAt1000: 1e9,
  /** Loading and indexing 1000 clinics into an empty database. */
  seedSecondsAt1000: 45,
  /** Seeding 10,000 clinics from empty: every seeding step of a run that starts empty, summed. */
  seedSecondsTo10000: 300,
} as const;

/** The seed's load-testing scenarios (the seed's scale analysis, "Load Testing Scenarios"). */
export const loadScenarios: readonly {
  readonly clinics: number;
  readonly requestsPerSecond: number;
}[] = [
  { clinics: 300, requestsPerSecond: 0.75 },
  { clinics: 500, requestsPerSecond: 2.5 },
  { clinics: 1000, requestsPerSecond: 5 },
];
