/**
 * The same three costs as instrument.py, in a tight loop (measuring only).
 * From the repository root:
 *   node_modules/.bin/esbuild docs/runs/2026-12-01-in-place-costs/tight-loop.ts --bundle \
 *     --platform=node --format=esm --outfile=tight-loop.mjs && node tight-loop.mjs
 */
import { z } from 'zod';
import { pageSchema } from '../../../src/clinic/inputs.js';
import { createCursors, cursorBinding } from '../../../src/paging.js';
import { parseInput } from '../../../src/validation.js';

const cursors = createCursors('a 32-byte secret for this measure');
const binding = cursorBinding('owners.list', 42);
const cursor = cursors.encode(binding, [123456]);
const keySchema = z.tuple([z.number().int()]);

/** Median over 7 rounds of 20,000 calls, after 20,000 to warm up, in µs a call. */
function measure(name: string, call: () => unknown): void {
  const calls = 20_000;
  for (let i = 0; i < calls; i++) call();
  const rounds: number[] = [];
  for (let round = 0; round < 7; round++) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) call();
    rounds.push(((performance.now() - started) * 1000) / calls);
  }
  rounds.sort((a, b) => a - b);
  console.log(`${name}: ${rounds[3]?.toFixed(2)} us`);
}

measure("parseInput(pageSchema, { columns: 'contact' })", () =>
  parseInput(pageSchema, { columns: 'contact' }),
);
measure("parseInput(pageSchema, { columns: 'contact', cursor })", () =>
  parseInput(pageSchema, { columns: 'contact', cursor }),
);
measure('cursor encode', () => cursors.encode(binding, [123456]));
measure('cursor decode', () => cursors.decode(binding, cursor, keySchema));
