import { todayUtc } from './dates.js';

/** Every assumption of the generated data set; each is a CLI flag (see docs/harness.md). */
export interface GeneratorOptions {
  /** Seed of every random draw: the same seed gives the same data. @default 'vetalyze' */
  readonly seed: string;
  /** Average owners (pet owners, plain rows) per clinic. @default 1500 (the seed's assumption) */
  readonly ownersPerClinic: number;
  /** Owners per clinic vary uniformly by ± this share of the average. @default 0 */
  readonly ownerSpread: number;
  /** Average pets per owner. @default 1.5 (the seed's assumption) */
  readonly petsPerOwner: number;
  /** Fewest staff accounts per clinic, the owner included. @default 5 */
  readonly staffMin: number;
  /** Most staff accounts per clinic, the owner included. @default 7 */
  readonly staffMax: number;
  /** Subscription records per clinic per year. @default 12 (monthly plans) */
  readonly subscriptionsPerYear: number;
  /** Years of subscription history per clinic. @default 1 */
  readonly subscriptionYears: number;
  /**
   * The day the data is generated "as of" ('YYYY-MM-DD'): the current
   * subscription period contains it. Stored with the data set, so growing it
   * later keeps the same calendar. @default today (UTC)
   */
  readonly anchorDate: string;
}

/** The seed's assumptions (the seed's scale analysis) and today's date. */
export function defaultGeneratorOptions(): GeneratorOptions {
  return {
    seed: 'vetalyze',
    ownersPerClinic: 1500,
    ownerSpread: 0,
    petsPerOwner: 1.5,
    staffMin: 5,
    staffMax: 7,
    subscriptionsPerYear: 12,
    subscriptionYears: 1,
    anchorDate: todayUtc(),
  };
}

/** Throws a plain Error naming the option when a value cannot generate a data set. */
export function checkGeneratorOptions(options: GeneratorOptions): void {
  const problems: string[] = [];
  if (!options.seed) problems.push('seed must not be empty');
  if (!Number.isInteger(options.ownersPerClinic) || options.ownersPerClinic < 1)
    problems.push('ownersPerClinic must be a positive integer');
  if (!(options.ownerSpread >= 0 && options.ownerSpread < 1))
    problems.push('ownerSpread must be in [0, 1)');
  if (!(options.petsPerOwner >= 0 && options.petsPerOwner <= 10))
    problems.push('petsPerOwner must be in [0, 10]');
  if (!Number.isInteger(options.staffMin) || options.staffMin < 1)
    problems.push('staffMin must be a positive integer (the owner counts)');
  if (!Number.isInteger(options.staffMax) || options.staffMax < options.staffMin)
    problems.push('staffMax must be an integer >= staffMin');
  if (!Number.isInteger(options.subscriptionsPerYear) || options.subscriptionsPerYear < 1)
    problems.push('subscriptionsPerYear must be a positive integer');
  if (!Number.isInteger(options.subscriptionYears) || options.subscriptionYears < 1)
    problems.push('subscriptionYears must be a positive integer');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.anchorDate))
    problems.push('anchorDate must be YYYY-MM-DD');
  if (problems.length > 0) throw new Error(`invalid generator options: ${problems.join('; ')}`);
}
