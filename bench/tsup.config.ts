import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The `vetalyze` command, ESM with its shebang; @vetalyze/db and every
    // other dependency stay imports (tsup keeps package.json dependencies external).
    entry: { cli: 'cli.ts' },
    format: ['esm'],
    sourcemap: true,
    clean: true,
    target: 'node24',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // The embedded server for other packages' tests (the library's use it).
    entry: { 'embedded-postgres': 'embedded-postgres.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    target: 'node24',
  },
]);
