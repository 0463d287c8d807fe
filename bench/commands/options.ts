import { type Command, InvalidArgumentError } from 'commander';
import { defaultGeneratorOptions, type GeneratorOptions } from '../generate/options.js';

/** Parses a positive integer flag value. */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new InvalidArgumentError('must be a positive integer');
  return number;
}

/** Parses a non-negative number flag value. */
export function nonNegativeNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0)
    throw new InvalidArgumentError('must be a non-negative number');
  return number;
}

/** Parses a positive number flag value. */
export function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new InvalidArgumentError('must be a positive number');
  return number;
}

/** Parses `50,100,300` into ascending unique positive integers. */
export function scaleList(value: string): number[] {
  const scales = value.split(',').map((part) => positiveInteger(part.trim()));
  return [...new Set(scales)].sort((a, b) => a - b);
}

/** The generator's flags, shared by `seed` and `bench`; each has the seed's default. */
export function addGeneratorOptions(command: Command): Command {
  const defaults = defaultGeneratorOptions();
  return command
    .option('--seed <text>', 'seed of every random draw (same seed, same data)', defaults.seed)
    .option(
      '--owners-per-clinic <n>',
      'average pet owners per clinic',
      positiveInteger,
      defaults.ownersPerClinic,
    )
    .option(
      '--owner-spread <share>',
      'owners per clinic vary by +- this share of the average',
      nonNegativeNumber,
      defaults.ownerSpread,
    )
    .option(
      '--pets-per-owner <n>',
      'average pets per owner',
      nonNegativeNumber,
      defaults.petsPerOwner,
    )
    .option(
      '--staff-min <n>',
      'fewest staff accounts per clinic, owner included',
      positiveInteger,
      defaults.staffMin,
    )
    .option(
      '--staff-max <n>',
      'most staff accounts per clinic, owner included',
      positiveInteger,
      defaults.staffMax,
    )
    .option(
      '--subscriptions-per-year <n>',
      'subscription records per clinic per year',
      positiveInteger,
      defaults.subscriptionsPerYear,
    )
    .option(
      '--subscription-years <n>',
      'years of subscription history per clinic',
      positiveInteger,
      defaults.subscriptionYears,
    )
    .option(
      '--anchor-date <YYYY-MM-DD>',
      'the day the data is generated as of (a grown data set keeps its own)',
      defaults.anchorDate,
    );
}

/** The generator options from parsed flags. */
export function generatorOptionsFrom(flags: Record<string, unknown>): GeneratorOptions {
  return {
    seed: String(flags.seed),
    ownersPerClinic: Number(flags.ownersPerClinic),
    ownerSpread: Number(flags.ownerSpread),
    petsPerOwner: Number(flags.petsPerOwner),
    staffMin: Number(flags.staffMin),
    staffMax: Number(flags.staffMax),
    subscriptionsPerYear: Number(flags.subscriptionsPerYear),
    subscriptionYears: Number(flags.subscriptionYears),
    anchorDate: String(flags.anchorDate),
  };
}
