/**
 * Reads the rows of bench/generate/copy-binary.ts back as PostgreSQL's COPY
 * text writes them with TimeZone UTC (`\N` for null, 't'/'f', 'YYYY-MM-DD',
 * 'YYYY-MM-DD HH:MM:SS+00'), so tests can compare them with what the server
 * loaded, or read them as the text rows they replace.
 */

/** The field types the generator's binary rows hold. */
export type FieldType = 'int2' | 'int4' | 'bool' | 'text' | 'date' | 'timestamptz';

/** The owners table's COPY columns' types, in copyColumns.owners order. */
export const ownerFieldTypes: readonly FieldType[] = [
  'int4',
  'int4',
  'int4',
  'text',
  'text',
  'text',
  'text',
  'timestamptz',
  'timestamptz',
  'timestamptz',
];

/** The pets table's COPY columns' types, in copyColumns.pets order. */
export const petFieldTypes: readonly FieldType[] = [
  'int4',
  'int4',
  'int4',
  'int4',
  'text',
  'int2',
  'text',
  'text',
  'date',
  'text',
  'date',
  'bool',
  'timestamptz',
  'timestamptz',
];

const msPerDay = 86_400_000;
/** 2000-01-01 in ms since 1970. */
const postgresEpochMs = Date.UTC(2000, 0, 1);

function field(type: FieldType, bytes: Buffer): string {
  switch (type) {
    case 'int2':
      return String(bytes.readInt16BE(0));
    case 'int4':
      return String(bytes.readInt32BE(0));
    case 'bool':
      return bytes[0] === 1 ? 't' : 'f';
    case 'text':
      return bytes.toString('utf8');
    case 'date':
      return new Date(postgresEpochMs + bytes.readInt32BE(0) * msPerDay).toISOString().slice(0, 10);
    case 'timestamptz': {
      const iso = new Date(postgresEpochMs + Number(bytes.readBigInt64BE(0) / 1000n)).toISOString();
      return `${iso.slice(0, 10)} ${iso.slice(11, 19)}+00`;
    }
  }
}

/** COPY text lines (tab-separated, no escaping needed for the generator's values) of binary rows. */
export function copyBinaryToText(rows: Buffer, types: readonly FieldType[]): string {
  const lines: string[] = [];
  let at = 0;
  while (at < rows.length) {
    const count = rows.readInt16BE(at);
    at += 2;
    if (count !== types.length) throw new Error(`a row of ${count} fields, not ${types.length}`);
    const values: string[] = [];
    for (const type of types) {
      const length = rows.readInt32BE(at);
      at += 4;
      if (length < 0) values.push('\\N');
      else {
        values.push(field(type, rows.subarray(at, at + length)));
        at += length;
      }
    }
    lines.push(`${values.join('\t')}\n`);
  }
  return lines.join('');
}
