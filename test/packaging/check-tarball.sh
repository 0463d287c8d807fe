#!/usr/bin/env bash
# Packs the package as npm would publish it, lints the tarball (publint, attw),
# then installs it into an empty project and loads it with both import and require.
# Run after `npm run build`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "packed $(basename "$tarball") ($(du -h "$tarball" | cut -f1))"
# Listed to a file first: `grep -q` closing the pipe early would fail tar under pipefail.
tar -tzf "$tarball" >"$work/contents"
grep -qx 'package/sql/0001_reference_tables.sql' "$work/contents" || { echo "sql/ is not in the tarball"; exit 1; }
grep -qx 'package/dist/cli.js' "$work/contents" || { echo "dist/cli.js (the vetalyze bin) is not in the tarball"; exit 1; }

npx publint run "$tarball" --strict
npx attw "$tarball" --profile node16

mkdir "$work/app"
cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$tarball" >/dev/null

node --input-type=module -e "
  import { createVetalyze, findMigrationsDirectory, ValidationError } from '@vetalyze/db';
  if (typeof createVetalyze !== 'function') throw new Error('ESM: createVetalyze missing');
  if (!findMigrationsDirectory().includes('node_modules/@vetalyze/db/sql')) throw new Error('ESM: sql/ not found in the package: ' + findMigrationsDirectory());
  await createVetalyze({ connectionString: '' }).then(() => { throw new Error('ESM: bad options accepted'); }, (e) => { if (!(e instanceof ValidationError)) throw e; });
  console.log('import: ok');
"
node -e "
  const { createVetalyze, findMigrationsDirectory, ValidationError } = require('@vetalyze/db');
  if (typeof createVetalyze !== 'function') throw new Error('CJS: createVetalyze missing');
  if (!findMigrationsDirectory().includes('node_modules/@vetalyze/db/sql')) throw new Error('CJS: sql/ not found in the package: ' + findMigrationsDirectory());
  createVetalyze({ connectionString: '' }).then(() => { throw new Error('CJS: bad options accepted'); }, (e) => { if (!(e instanceof ValidationError)) throw e; console.log('require: ok'); });
"
npx --no-install vetalyze --help >/dev/null && echo "bin vetalyze: ok"
