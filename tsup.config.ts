import { defineConfig } from 'tsup';

// The library only; the harness (bench/) builds with its own tsup.config.ts.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  // import.meta.url (used to find the shipped sql/ folder) also works in the CJS build.
  shims: true,
  sourcemap: true,
  clean: true,
  target: 'node24',
});
