import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    // import.meta.url (used to find the shipped sql/ folder) also works in the CJS build.
    shims: true,
    sourcemap: true,
    clean: true,
    target: 'node24',
  },
  {
    // The CLI (migrate, seed, bench, compare) ships as one ESM file with its shebang.
    entry: { cli: 'bench/cli.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node24',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
