import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { smallerIsBetter } from './benchmark-action.js';
import { chartSvg } from './chart.js';
import { markdownReport } from './markdown.js';
import type { BenchReport } from './schema.js';

/** The files `vetalyze bench` writes into --out. */
export const reportFiles = {
  json: 'report.json',
  markdown: 'report.md',
  benchmarkAction: 'benchmark-action.json',
  chart: 'p95-by-clinics.svg',
} as const;

/** Writes every report format into `directory` (created when missing); returns the paths. */
export async function writeReports(report: BenchReport, directory: string): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const files: [string, string][] = [
    [reportFiles.json, `${JSON.stringify(report, null, 2)}\n`],
    [reportFiles.markdown, markdownReport(report)],
    [reportFiles.benchmarkAction, `${JSON.stringify(smallerIsBetter(report), null, 2)}\n`],
    [reportFiles.chart, chartSvg(report)],
  ];
  const paths: string[] = [];
  for (const [name, content] of files) {
    const path = join(directory, name);
    await writeFile(path, content);
    paths.push(path);
  }
  return paths;
}
