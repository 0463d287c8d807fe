import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { extractRegion, readSnippets } from './snippets.js';

const root = new URL('../../', import.meta.url);

// README's usage example is copied from a tested example, not written beside it:
// this test is what keeps the copy from drifting when the example changes.
describe('documentation snippets copied from examples', () => {
  it("README's usage example is examples/quickstart.ts's readme region", async () => {
    const snippets = await readSnippets(root, 'README.md');
    expect(snippets.map(({ source, region }) => `${source}#${region}`)).toContain(
      'examples/quickstart.ts#readme',
    );
  });

  it('every marked snippet in README.md and docs/ equals its region, character for character', async () => {
    const documents = [
      'README.md',
      ...(await readdir(new URL('docs/', root)))
        .filter((name) => name.endsWith('.md'))
        .map((name) => `docs/${name}`),
    ];
    const snippets = (await Promise.all(documents.map((doc) => readSnippets(root, doc)))).flat();
    for (const snippet of snippets) {
      const sourceText = await readFile(new URL(snippet.source, root), 'utf8');
      const where = `${snippet.document} -> ${snippet.source}#${snippet.region}`;
      expect(extractRegion(sourceText, snippet.region), where).toBe(snippet.text);
    }
  });
});
