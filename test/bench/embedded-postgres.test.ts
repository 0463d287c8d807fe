import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@vetalyze/bench/embedded-postgres';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { serverSettingsFor } from '../../bench/server.js';

const parent = await mkdtemp(join(tmpdir(), 'vz-embedded-'));
afterAll(() => rm(parent, { recursive: true, force: true }));

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('select 1 as one')).rows[0]?.one ?? 0;
  } finally {
    await client.end();
  }
}

it('starts again on the data folder it kept, as the cached bench does', async () => {
  const directory = join(parent, 'pg');
  const first = await startEmbeddedPostgres({ directory, persistent: true });
  expect(await selectOne(first.url)).toBe(1);
  await first.stop();
  const second = await startEmbeddedPostgres({ directory, persistent: true });
  try {
    expect(await selectOne(second.url)).toBe(1);
  } finally {
    await second.stop();
  }
}, 60_000);

it('applies the settings it is given, after its own', async () => {
  const server = await startEmbeddedPostgres({
    directory: join(parent, 'settings'),
    persistent: false,
    settings: ['shared_buffers=200MB', 'work_mem=3MB'],
  });
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    const shown = await client.query<{ name: string; setting: string }>(
      "select name, current_setting(name) as setting from unnest(array['shared_buffers', 'work_mem']) name",
    );
    expect(Object.fromEntries(shown.rows.map((row) => [row.name, row.setting]))).toEqual({
      shared_buffers: '200MB',
      work_mem: '3MB',
    });
  } finally {
    await client.end();
    await server.stop();
  }
}, 60_000);

it('sizes memory for a data set above 1000 clinics, as a dedicated server would', () => {
  const memory = 24 * 2 ** 30;
  expect(serverSettingsFor(1000, memory)).toEqual([]);
  expect(serverSettingsFor(10_000, memory)).toEqual([
    'shared_buffers=12288MB',
    'effective_cache_size=18432MB',
  ]);
});
