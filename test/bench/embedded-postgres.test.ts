import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@vetalyze/bench/embedded-postgres';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';

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
