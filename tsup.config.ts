import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
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
