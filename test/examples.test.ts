import { describe, expect, it } from 'vitest';
import { walkthrough } from '../examples/host-walkthrough.js';
import { IllegalTransitionError, NotFoundError, ValidationError } from '../src/index.js';
import { createTestDatabase } from './helpers/database.js';

describe('examples/host-walkthrough', () => {
  it('walks the API as a host application would', async () => {
    const database = await createTestDatabase();
    const lines: string[] = [];
    const seen = await walkthrough(database.url, (line) => lines.push(line));
    expect(seen.statuses).toEqual(['none', 'active', 'suspended', 'active']);
    expect(seen.refusal).toBeInstanceOf(IllegalTransitionError);
    expect(seen.found.items).toHaveLength(1);
    expect(seen.owner.code).toBe('O-000001');
    expect(seen.owner.pets.map((pet) => pet.code)).toEqual(['P-000001', 'P-000002']);
    expect(seen.byPhone).toEqual([1, 1, 1, 1]);
    expect(seen.crossRead).toBeInstanceOf(NotFoundError);
    expect(seen.badInput).toBeInstanceOf(ValidationError);
    expect(seen.exported).toBe(1);
    expect(lines.length).toBeGreaterThan(5);
  });
});
