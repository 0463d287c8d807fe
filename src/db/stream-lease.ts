import type pg from 'pg';
import { TimeoutError, UnavailableError } from '../errors.js';
import { toVetalyzeError } from './map-error.js';

/** How long a stream may wait on the server, and on its consumer. */
export interface StreamLimits {
  /** One round trip (a batch, BEGIN, the final close) must answer within this, in ms. */
  readonly roundTripMs: number;
  /** A consumer that pulls no row for this long loses the connection, in ms. */
  readonly idleMs: number;
}

/**
 * A pooled connection held by a stream (an export) across many round trips,
 * while its consumer decides when to pull. The consumer may stall, drop the
 * iterator without `return()`, or the connection may die between two batches:
 * in every case the connection is destroyed and its pool slot freed, without
 * the consumer's help.
 */
export interface StreamLease {
  /**
   * Runs one round trip. Rejects when the connection failed (UnavailableError)
   * or when no answer came within `roundTripMs`: a connection that died
   * without a FIN or RST never answers, and pg-cursor would wait for ever.
   */
  roundTrip<T>(step: () => Promise<T>): Promise<T>;
  /** Records that the consumer took a row; throws if the lease was lost meanwhile. */
  pulled(): void;
  /** Returns the connection to the pool, or destroys it when `broken` or lost. Idempotent. */
  end(broken: boolean): void;
  /** Why the lease was lost (connection failure, stalled consumer), if it was. */
  readonly lost: Error | undefined;
}

/**
 * Holds `client` for a stream. A check every `idleMs` destroys the connection
 * when no row was pulled since the previous check, so a dropped iterator's
 * connection is reclaimed between `idleMs` and twice that after its last pull
 * (10-20 s with the default `idleInTransactionTimeoutMs`; the server itself
 * ends a session idle in its transaction after `idleMs`). A connection that
 * fails while the consumer holds a row is destroyed at once.
 */
export function leaseForStream(client: pg.PoolClient, limits: StreamLimits): StreamLease {
  let lost: Error | undefined;
  let ended = false;
  let inRoundTrip = false;
  let pulls = 0;
  let pullsAtLastCheck = -1;

  const end = (broken: boolean) => {
    if (ended) return;
    ended = true;
    clearInterval(idleCheck);
    client.off('error', onError);
    client.release(broken || lost ? (lost ?? new Error('stream ended broken')) : undefined);
  };
  const lose = (error: Error) => {
    lost ??= error;
    // During a round trip the step itself fails and the caller ends the lease.
    if (!inRoundTrip) end(true);
  };
  const onError = (error: Error) => lose(toVetalyzeError(error));
  client.on('error', onError);

  const idleCheck = setInterval(() => {
    if (inRoundTrip) return;
    if (pulls === pullsAtLastCheck) {
      lose(
        new TimeoutError(
          `the export was not read for ${limits.idleMs} ms; its connection was closed`,
        ),
      );
    }
    pullsAtLastCheck = pulls;
  }, limits.idleMs);
  idleCheck.unref();

  return {
    roundTrip: async (step) => {
      if (lost) throw lost;
      inRoundTrip = true;
      let timer: NodeJS.Timeout | undefined;
      const silence = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          lost ??= new UnavailableError(
            `no answer from the database within ${limits.roundTripMs} ms; the connection was closed`,
          );
          reject(lost);
        }, limits.roundTripMs);
      });
      try {
        return await Promise.race([step(), silence]);
      } catch (error) {
        lost ??= toVetalyzeError(error);
        throw lost;
      } finally {
        clearTimeout(timer);
        inRoundTrip = false;
      }
    },
    pulled: () => {
      if (lost) throw lost;
      pulls++;
    },
    end,
    get lost() {
      return lost;
    },
  };
}
