import pg from 'pg';
import { toVetalyzeError } from '../db/map-error.js';
import type { PoolSsl } from '../db/pool.js';

/** Channels notified by the triggers of sql/0008_cache_notifications.sql; the payload is a clinic id. */
export const statusChannel = 'vz_clinic_status';
/** See {@link statusChannel}. */
export const factsChannel = 'vz_clinic_facts';

/** What the listener does with what it hears. */
export interface InvalidationHandlers {
  /**
   * True when the notice came from a backend of this instance's own pools:
   * the write already invalidated locally, so the echo is skipped (it would
   * only cost a reload, and make "served from memory" unpredictable).
   */
  sentByThisInstance(backendPid: number): boolean;
  /** A clinic's subscription records changed, on any instance. */
  status(clinicId: number): void;
  /** A clinic's country changed, on any instance. */
  facts(clinicId: number): void;
  /**
   * The listener was not listening for a while (its connection dropped, or
   * it just started listening again): notices may have been missed, so every
   * cached entry is suspect.
   */
  gap(): void;
}

/** Settings of the listener. */
export interface InvalidationListenerSettings {
  /** A URL on which LISTEN works: the primary itself, or a session-pooled route to it. */
  readonly connectionString: string;
  /** Connecting fails after this many ms. */
  readonly connectionTimeoutMs: number;
  /** TLS, as for the pools. */
  readonly ssl?: PoolSsl | undefined;
  /** Shown in pg_stat_activity. */
  readonly applicationName?: string | undefined;
  /** First wait before reconnecting, in ms; doubled after each failure. @default 100 */
  readonly retryMinMs?: number;
  /** Longest wait between reconnection attempts, in ms. @default 5000 */
  readonly retryMaxMs?: number;
}

/** The running listener of one `createVetalyze`. */
export interface InvalidationListener {
  /** Stops listening and reconnecting; ends the connection. */
  close(): Promise<void>;
}

/**
 * LISTENs on one dedicated connection and hands every notice to `handlers`.
 * Resolves once listening (rejects with UnavailableError when the first
 * connection fails, so a wrong URL fails at startup). When the connection
 * drops later, the caches are cleared, and the listener reconnects with
 * back-off (100 ms doubling to 5 s by default) and clears them again once it
 * listens, since anything loaded while it was deaf may be stale.
 */
export async function startInvalidationListener(
  settings: InvalidationListenerSettings,
  handlers: InvalidationHandlers,
): Promise<InvalidationListener> {
  const retryMinMs = settings.retryMinMs ?? 100;
  const retryMaxMs = settings.retryMaxMs ?? 5_000;
  let current: pg.Client | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = retryMinMs;

  const onNotification = (message: pg.Notification) => {
    const clinicId = Number(message.payload);
    if (!Number.isSafeInteger(clinicId) || handlers.sentByThisInstance(message.processId)) return;
    if (message.channel === statusChannel) handlers.status(clinicId);
    else if (message.channel === factsChannel) handlers.facts(clinicId);
  };

  const drop = (client: pg.Client) => {
    if (client !== current) return;
    current = undefined;
    client.end().catch(() => {});
    handlers.gap();
    scheduleRetry();
  };

  const listen = async () => {
    const client = new pg.Client({
      connectionString: settings.connectionString,
      connectionTimeoutMillis: settings.connectionTimeoutMs,
      application_name: settings.applicationName,
      ...(settings.ssl === undefined ? {} : { ssl: settings.ssl }),
      // A peer that vanishes without a FIN is noticed by TCP keepalive probes;
      // the caches' TTLs bound what is missed until then.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client.on('error', () => drop(client));
    client.on('end', () => drop(client));
    client.on('notification', onNotification);
    try {
      await client.connect();
      await client.query(`listen ${statusChannel}; listen ${factsChannel}`);
      // Listening alone never keeps the host process alive (as idle pool
      // connections don't): node-postgres' Client.unref, missing from @types/pg.
      (client as pg.Client & { unref?: () => void }).unref?.();
    } catch (error) {
      client.end().catch(() => {});
      throw toVetalyzeError(error);
    }
    if (closed) {
      await client.end().catch(() => {});
      return;
    }
    current = client;
    retryMs = retryMinMs;
    handlers.gap();
  };

  const scheduleRetry = () => {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      listen().catch(() => {
        retryMs = Math.min(retryMs * 2, retryMaxMs);
        scheduleRetry();
      });
    }, retryMs);
    // Reconnecting alone never keeps the host process alive.
    retryTimer.unref();
  };

  await listen();
  return {
    close: async () => {
      closed = true;
      clearTimeout(retryTimer);
      const client = current;
      current = undefined;
      await client?.end().catch(() => {});
    },
  };
}
