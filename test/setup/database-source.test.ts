import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerAnswers, dockerEndpoint, selectDatabaseSource } from './database-source.js';

describe('selectDatabaseSource', () => {
  it('uses DATABASE_URL when set, even when Docker answers', () => {
    expect(selectDatabaseSource({ DATABASE_URL: 'postgres://u@h/db' }, true)).toEqual({
      kind: 'url',
      url: 'postgres://u@h/db',
    });
  });

  it('uses testcontainers when DATABASE_URL is unset or blank and Docker answers', () => {
    expect(selectDatabaseSource({}, true)).toEqual({ kind: 'testcontainers' });
    expect(selectDatabaseSource({ DATABASE_URL: '  ' }, true)).toEqual({ kind: 'testcontainers' });
  });

  it('falls back to embedded PostgreSQL when nothing else is there', () => {
    expect(selectDatabaseSource({}, false)).toEqual({ kind: 'embedded' });
  });
});

describe('dockerEndpoint', () => {
  it('reads unix and tcp DOCKER_HOST values and defaults to the standard socket', () => {
    expect(dockerEndpoint({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toEqual({
      socketPath: '/run/user/1000/docker.sock',
    });
    expect(dockerEndpoint({ DOCKER_HOST: 'tcp://10.1.2.3:2376' })).toEqual({
      host: '10.1.2.3',
      port: 2376,
    });
    expect(dockerEndpoint({})).toEqual({ socketPath: '/var/run/docker.sock' });
  });
});

describe('dockerAnswers', () => {
  let server: Server | undefined;
  afterEach(
    () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  );

  async function fakeEngine(status: number): Promise<string> {
    const socketPath = join(await mkdtemp(join(tmpdir(), 'vz-docker-')), 'docker.sock');
    server = createServer((req, res) => {
      res.statusCode = req.url === '/_ping' ? status : 404;
      res.end('OK');
    });
    await new Promise<void>((resolve) => server?.listen(socketPath, resolve));
    return socketPath;
  }

  it('is true when an engine answers /_ping with 200', async () => {
    const socketPath = await fakeEngine(200);
    expect(await dockerAnswers({ DOCKER_HOST: `unix://${socketPath}` })).toBe(true);
  });

  it('is false when the engine errors or nothing listens', async () => {
    const socketPath = await fakeEngine(500);
    expect(await dockerAnswers({ DOCKER_HOST: `unix://${socketPath}` })).toBe(false);
    expect(await dockerAnswers({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' })).toBe(false);
  });
});
