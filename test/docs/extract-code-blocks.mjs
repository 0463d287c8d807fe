// Writes every ```ts block of README.md and docs/*.md into <out>/ as its own
// module, so check-tarball.sh type-checks them against the packed library the
// way a reader would paste them. Usage: node extract-code-blocks.mjs <repo> <out>
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const [root, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const files = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];
let written = 0;
for (const file of files) {
  const blocks = readFileSync(join(root, file), 'utf8').matchAll(/^```ts\n([\s\S]*?)^```$/gm);
  let index = 0;
  for (const [, code] of blocks) {
    index++;
    // `export {}` keeps each block in its own scope, as a file of its own would be.
    writeFileSync(join(out, `${basename(file, '.md')}-${index}.ts`), `${code}\nexport {};\n`);
    written++;
  }
}
console.log(`${written} code blocks from ${files.length} Markdown files`);
