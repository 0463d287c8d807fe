import { readFile } from 'node:fs/promises';

/** A documentation code block that says which example region it copies. */
export interface Snippet {
  /** The markdown file, relative to the repository root. */
  readonly document: string;
  /** The example file named by the marker, relative to the repository root. */
  readonly source: string;
  /** The region name in `source` (`// #region NAME` ... `// #endregion NAME`). */
  readonly region: string;
  /** The fenced block's text, without the fences. */
  readonly text: string;
}

// `<!-- snippet: examples/quickstart.ts#readme -->` on the line before a fenced block.
const markerPattern = /<!-- snippet: (\S+)#(\S+) -->\n```\w*\n([\s\S]*?)\n```/g;

/** Every marked snippet of `document` (a path relative to `root`). */
export async function readSnippets(root: URL, document: string): Promise<Snippet[]> {
  const markdown = await readFile(new URL(document, root), 'utf8');
  return [...markdown.matchAll(markerPattern)].map(([, source = '', region = '', text = '']) => ({
    document,
    source,
    region,
    text,
  }));
}

/** The lines between `// #region NAME` and `// #endregion NAME` of a source file. */
export function extractRegion(sourceText: string, region: string): string | undefined {
  const lines = sourceText.split('\n');
  const start = lines.indexOf(`// #region ${region}`);
  const end = lines.indexOf(`// #endregion ${region}`);
  if (start < 0 || end <= start) return undefined;
  return lines.slice(start + 1, end).join('\n');
}
