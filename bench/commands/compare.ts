import { readFile } from 'node:fs/promises';
import { compareReports } from '../report/compare.js';
import { parseReport } from '../report/validate.js';

/** `vetalyze compare base.json new.json --tolerance 0.25`: exit 1 on a p95 regression. */
export async function compareCommand(
  basePath: string,
  newPath: string,
  tolerance: number,
): Promise<void> {
  const base = parseReport(await readFile(basePath, 'utf8'), basePath);
  const next = parseReport(await readFile(newPath, 'utf8'), newPath);
  const result = compareReports(base, next, tolerance);
  for (const regression of result.regressions)
    process.stdout.write(
      `REGRESSION ${regression.operation} at ${regression.clinics} clinics: p95 ${regression.baseP95Ms} ms -> ${regression.newP95Ms} ms (${regression.ratio.toFixed(2)}x, tolerance ${(1 + tolerance).toFixed(2)}x)\n`,
    );
  if (result.missing.length > 0)
    process.stdout.write(`not in ${basePath}: ${result.missing.join(', ')}\n`);
  process.stdout.write(
    `${result.compared} operation/scale pairs compared, ${result.regressions.length} regressions beyond ${Math.round(tolerance * 100)}%\n`,
  );
  if (result.regressions.length > 0) process.exitCode = 1;
}
