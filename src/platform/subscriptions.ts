import type { Context } from '../context.js';

/** PLACEHOLDER: replaced by the platform-scope work (issue 3). */
export function createSubscriptionsRepository(_context: Context) {
  return {};
}
