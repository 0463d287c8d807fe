import { request } from 'node:http';

/** Where the test suite gets its PostgreSQL from, in order of preference. */
export type DatabaseSource =
  | { kind: 'url'; url: string }
  | { kind: 'testcontainers' }
  | { kind: 'embedded' };

/**
 * DATABASE_URL when set; else a Docker engine through testcontainers when one
 * answers; else embedded PostgreSQL, which needs nothing installed.
 */
export function selectDatabaseSource(
  env: NodeJS.ProcessEnv,
  dockerAnswers: boolean,
): DatabaseSource {
  const url = env.DATABASE_URL?.trim();
  if (url) return { kind: 'url', url };
  if (dockerAnswers) return { kind: 'testcontainers' };
  return { kind: 'embedded' };
}

/** Where a Docker engine would answer: DOCKER_HOST (unix or tcp) or the default socket. */
export function dockerEndpoint(
  env: NodeJS.ProcessEnv,
): { socketPath: string } | { host: string; port: number } {
  const host = env.DOCKER_HOST?.trim();
  if (host?.startsWith('tcp://')) {
    const parsed = new URL(host.replace(/^tcp:/, 'http:'));
    return { host: parsed.hostname, port: Number(parsed.port || 2375) };
  }
  if (host?.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  return { socketPath: '/var/run/docker.sock' };
}

/** True when a Docker engine answers `GET /_ping` with OK within `timeoutMs`. */
export function dockerAnswers(env: NodeJS.ProcessEnv, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { ...dockerEndpoint(env), path: '/_ping', method: 'GET', timeout: timeoutMs },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
