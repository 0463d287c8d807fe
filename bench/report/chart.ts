import type { BenchReport } from './schema.js';

/** XML-escapes text for SVG. */
function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const panelWidth = 230;
const panelHeight = 170;
const columns = 5;
const margin = { left: 42, right: 16, top: 22, bottom: 28 };

/**
 * An SVG of p95 against clinics, one small panel per operation, log-scaled on
 * both axes: our p95 (solid), the seed's figure (dashed, its low end) and our
 * budget (dotted). Hand-written markup: no dependency, valid standalone SVG.
 */
export function chartSvg(report: BenchReport): string {
  const clinics = report.scales.map((scale) => scale.clinics);
  const ids = [...new Set(report.scales.flatMap((scale) => scale.operations.map((op) => op.id)))];
  const rows = Math.ceil(ids.length / columns);
  const width = columns * panelWidth;
  const height = rows * panelHeight + 40;
  const minClinics = Math.min(...clinics);
  const maxClinics = Math.max(...clinics);
  const title = `p95 latency (ms, log) against clinics (log): ${escapeXml(report.environment.cpuModel)}, ${report.environment.cores} cores, PostgreSQL ${escapeXml(report.environment.postgres.version)}`;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="10">`,
    // The title is what screen readers and document tools show for the chart.
    `<title id="chart-title">${title}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="16" font-size="13" font-weight="bold">${title}</text>`,
    `<g transform="translate(8,24)"><line x1="0" y1="4" x2="18" y2="4" stroke="#1f6feb" stroke-width="2"/><text x="22" y="8">our p95</text>`,
    `<line x1="80" y1="4" x2="98" y2="4" stroke="#d1242f" stroke-width="1.5" stroke-dasharray="4 3"/><text x="102" y="8">seed figure (low end)</text>`,
    `<line x1="220" y1="4" x2="238" y2="4" stroke="#1a7f37" stroke-width="1.5" stroke-dasharray="1 2"/><text x="242" y="8">our budget</text></g>`,
  );
  ids.forEach((id, index) => {
    const x0 = (index % columns) * panelWidth;
    const y0 = 40 + Math.floor(index / columns) * panelHeight;
    const points = report.scales.flatMap((scale) => {
      const op = scale.operations.find((candidate) => candidate.id === id);
      return op
        ? [
            {
              clinics: scale.clinics,
              p95: op.p95Ms,
              seed: op.seedFigureMs?.low ?? null,
              budget: op.budgetP95Ms,
            },
          ]
        : [];
    });
    const values = points.flatMap((point) => [
      point.p95,
      point.budget,
      ...(point.seed ? [point.seed] : []),
    ]);
    const low = 10 ** Math.floor(Math.log10(Math.max(1e-4, Math.min(...values) * 0.8)));
    const high = 10 ** Math.ceil(Math.log10(Math.max(...values) * 1.2));
    const plotWidth = panelWidth - margin.left - margin.right;
    const plotHeight = panelHeight - margin.top - margin.bottom;
    const x = (value: number) =>
      x0 +
      margin.left +
      (maxClinics === minClinics
        ? plotWidth / 2
        : ((Math.log10(value) - Math.log10(minClinics)) /
            (Math.log10(maxClinics) - Math.log10(minClinics))) *
          plotWidth);
    const y = (value: number) =>
      y0 +
      margin.top +
      plotHeight -
      ((Math.log10(value) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * plotHeight;
    parts.push(
      `<text x="${x0 + margin.left}" y="${y0 + 14}" font-weight="bold">${escapeXml(id)}</text>`,
      `<rect x="${x0 + margin.left}" y="${y0 + margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#bbb"/>`,
    );
    for (let decade = low; decade <= high * 1.0001; decade *= 10) {
      const yy = y(decade).toFixed(1);
      parts.push(
        `<line x1="${x0 + margin.left}" y1="${yy}" x2="${x0 + margin.left + plotWidth}" y2="${yy}" stroke="#eee"/>`,
        `<text x="${x0 + margin.left - 3}" y="${yy}" text-anchor="end" dominant-baseline="middle">${decade >= 1 ? decade.toFixed(0) : Number(decade.toPrecision(1))}</text>`,
      );
    }
    for (const count of clinics)
      parts.push(
        `<text x="${x(count).toFixed(1)}" y="${y0 + panelHeight - 14}" text-anchor="middle">${count}</text>`,
      );
    const polyline = (key: 'p95' | 'seed' | 'budget', style: string) => {
      const coordinates = points
        .filter((point) => point[key] !== null)
        .map((point) => `${x(point.clinics).toFixed(1)},${y(point[key] as number).toFixed(1)}`);
      if (coordinates.length === 1) {
        const [cx, cy] = (coordinates[0] as string).split(',');
        const half = plotWidth / 2 - 4;
        if (key === 'p95') parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="#1f6feb"/>`);
        else
          parts.push(
            `<line x1="${Number(cx) - half}" y1="${cy}" x2="${Number(cx) + half}" y2="${cy}" ${style}/>`,
          );
      } else if (coordinates.length > 1) {
        parts.push(`<polyline points="${coordinates.join(' ')}" fill="none" ${style}/>`);
        if (key === 'p95')
          for (const coordinate of coordinates) {
            const [cx, cy] = coordinate.split(',');
            parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="#1f6feb"/>`);
          }
      }
    };
    polyline('seed', 'stroke="#d1242f" stroke-width="1.5" stroke-dasharray="4 3"');
    polyline('budget', 'stroke="#1a7f37" stroke-width="1.5" stroke-dasharray="1 2"');
    polyline('p95', 'stroke="#1f6feb" stroke-width="2"');
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
