import { readFile } from 'node:fs/promises';
import { terminalReport } from '../report/terminal.js';
import { parseReport } from '../report/validate.js';
import { writeReports } from '../report/write.js';

/** `vetalyze report report.json --out dir`: renders a saved report in every format again. */
export async function reportCommand(jsonPath: string, out: string): Promise<void> {
  const report = parseReport(await readFile(jsonPath, 'utf8'), jsonPath);
  process.stdout.write(terminalReport(report));
  const paths = await writeReports(report, out);
  process.stderr.write(`reports: ${paths.join(', ')}\n`);
}
