import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase } from '../helpers/database.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('examples/quickstart', () => {
  it('runs to the end against DATABASE_URL and prints the clinic, the search and the list', async () => {
    const database = await createTestDatabase();
    vi.stubEnv('DATABASE_URL', database.url);
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    // The program is top-level code: importing it runs it, to its last line.
    await import('../../examples/quickstart.js');
    expect(lines).toEqual([
      'by phone: Jonas Klein',
      expect.stringMatching(/^clinic \d+: active$/),
      'O-000002 Mia Schmidt: Minka',
      'O-000001 Jonas Klein: Bello',
    ]);
  });
});
