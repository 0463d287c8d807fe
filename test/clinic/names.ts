import type { OwnerImportRow } from '../../src/clinic/import.js';

const firstNames = [
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Emma',
  'Felix',
  'Greta',
  'Hans',
  'Ida',
  'Jonas',
  'Klara',
  'Lukas',
  'Mia',
  'Noah',
  'Olga',
  'Paul',
  'Rosa',
  'Sven',
  'Tina',
  'Uwe',
];
const lastNames = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schulz',
  'Hoffmann',
  'Koch',
  'Richter',
  'Klein',
  'Wolf',
  'Schröder',
  'Neumann',
  'Schwarz',
  'Braun',
  'Zimmermann',
  'Krüger',
];

/** A deterministic owner row number `i`, with 0 to 2 pets (1.5 on average over 4 rows). */
export function ownerRow(i: number, seed = 0): OwnerImportRow {
  const n = i + seed * 7919;
  const petCount = [1, 2, 1, 2][n % 4] ?? 1;
  return {
    fullName: `${firstNames[n % firstNames.length]} ${lastNames[Math.floor(n / 20) % lastNames.length]} ${n}`,
    phoneNumber: `+49 17${n % 10} ${String(1_000_000 + ((n * 7_654_321) % 9_000_000)).padStart(7, '0')}`,
    email: `owner${n}@example.com`,
    pets: Array.from({ length: petCount }, (_, j) => ({
      name: `Pet ${n}-${j}`,
      petTypeId: 1 + ((n + j) % 10),
      birthDate: `20${10 + ((n + j) % 14)}-0${1 + (j % 9)}-1${j % 9}`,
    })),
  };
}
