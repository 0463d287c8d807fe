import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { exportToCsv, exportToNdjson } from '../../src/clinic/export-writers.js';
import type { Owner } from '../../src/clinic/rows.js';

/** A writable that collects what is written. */
function sink(): { writable: PassThrough; text: () => string } {
  const writable = new PassThrough();
  const chunks: Buffer[] = [];
  writable.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { writable, text: () => Buffer.concat(chunks).toString('utf8') };
}

function owner(fields: Partial<Owner>): Owner {
  return {
    id: 1,
    code: 'O-000001',
    fullName: 'Plain',
    phoneNumber: null,
    email: null,
    address: null,
    notes: null,
    version: 1,
    createdAt: new Date('2024-01-02T03:04:05Z'),
    updatedAt: new Date('2024-01-02T03:04:05Z'),
    pets: [],
    ...fields,
  };
}

// The OWASP CSV-injection starters, each as a whole payload a spreadsheet would run.
const hostile = ['=1+1', '+1+1', '-1+1', '@SUM(1,1)', '\t=1', '\r=1', '=HYPERLINK("x")'];

describe('CSV formula injection', () => {
  it.each(hostile)('neutralises a name starting like %j by default', async (payload) => {
    const { writable, text } = sink();
    await exportToCsv([owner({ fullName: payload, notes: payload })], writable);
    const row = text().split('\n')[1] ?? '';
    // Every text cell that held the payload now starts with a quote mark.
    expect(row).not.toMatch(/(^|,)"?[=+\-@\t\r]/);
    expect(row).toContain(`'${payload.slice(0, 1)}`);
  });

  it('leaves numbers, dates and plain text alone', async () => {
    const { writable, text } = sink();
    await exportToCsv([owner({ fullName: 'Anna', email: 'a@example.com' })], writable);
    expect(text().split('\n')[1]).toBe(
      '1,O-000001,Anna,,a@example.com,,,2024-01-02T03:04:05.000Z,,,,,,,,,,',
    );
  });

  it('writes the values as they are with escapeFormulas: false', async () => {
    const { writable, text } = sink();
    await exportToCsv([owner({ fullName: '=1+1', phoneNumber: '+49 170 1234567' })], writable, {
      escapeFormulas: false,
    });
    expect(text().split('\n')[1]).toMatch(/^1,O-000001,=1\+1,\+49 170 1234567,/);
  });

  it('leaves NDJSON unchanged', async () => {
    const { writable, text } = sink();
    await exportToNdjson([owner({ fullName: '=1+1' })], writable);
    expect(JSON.parse(text()).fullName).toBe('=1+1');
  });
});
