#!/usr/bin/env bash
# Packs both packages as npm would publish them, lints the library's tarball
# (publint, attw), installs the library alone into fresh host projects (ESM and
# CommonJS, strict TypeScript without @types/pg) and type-checks and loads it
# there, then installs the harness beside it and runs its bin. Prints the
# library's installed size and dependency count. Run after `npm run build`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
library="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
bench="$work/$(npm pack --silent --workspace @vetalyze/bench --pack-destination "$work" | tail -n 1)"
echo "packed $(basename "$library") ($(du -h "$library" | cut -f1)), $(basename "$bench") ($(du -h "$bench" | cut -f1))"
# Listed to a file first: `grep -q` closing the pipe early would fail tar under pipefail.
tar -tzf "$library" >"$work/contents"
grep -qx 'package/sql/0001_reference_tables.sql' "$work/contents" || { echo "sql/ is not in the library's tarball"; exit 1; }
grep -qx 'package/sql/citus/0001_distribute.sql' "$work/contents" || { echo "sql/citus/ (Citus mode) is not in the library's tarball"; exit 1; }
grep -qx 'package/dist/index.d.ts' "$work/contents" || { echo "dist/ is not in the library's tarball (prepare)"; exit 1; }
grep -qx 'package/LICENSE' "$work/contents" || { echo "LICENSE is not in the library's tarball"; exit 1; }
if grep -E 'package/(dist/cli|dist/program|bench/)' "$work/contents"; then echo "the library's tarball carries harness files (above)"; exit 1; fi
tar -tzf "$bench" >"$work/bench-contents"
grep -qx 'package/dist/cli.js' "$work/bench-contents" || { echo "dist/cli.js (the vetalyze bin) is not in the harness tarball"; exit 1; }

npx publint run "$library" --strict
npx attw "$library" --profile node16

# A host project of the given module type that installs only the library.
host() {
  local dir=$1 type=$2
  mkdir "$dir"
  cd "$dir"
  npm init -y >/dev/null
  npm pkg set type="$type"
  npm install --no-audit --no-fund --loglevel=error "$library" >/dev/null
  if [ -d node_modules/@types/pg ]; then echo "@types/pg was installed with the library"; exit 1; fi
  echo "the library installed in a fresh $type host: $(du -sh node_modules | cut -f1) on disk in node_modules, $(npm ls --all --parseable | tail -n +2 | wc -l) packages"
  npm install --no-audit --no-fund --loglevel=error --save-dev "typescript@$(node -p "require('$root/node_modules/typescript/package.json').version")" "@types/node@$(node -p "require('$root/node_modules/@types/node/package.json').version")" >/dev/null
  cat >tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "strict": true,
    "skipLibCheck": false,
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "target": "es2023",
    "types": ["node"],
    "noEmit": true
  }
}
JSON
}

host "$work/esm" module
cp "$root/test/packaging/consumer.ts" index.ts
node "$root/test/docs/extract-code-blocks.mjs" "$root" doc-blocks
npx tsc -p .
echo "ESM consumer and the docs' code blocks (strict, skipLibCheck false, no @types/pg): types ok"
node --input-type=module -e "
  import { createVetalyze, findMigrationsDirectory, ValidationError } from '@vetalyze/db';
  if (typeof createVetalyze !== 'function') throw new Error('ESM: createVetalyze missing');
  if (!findMigrationsDirectory().includes('node_modules/@vetalyze/db/sql')) throw new Error('ESM: sql/ not found in the package: ' + findMigrationsDirectory());
  await createVetalyze({ connectionString: '' }).then(() => { throw new Error('ESM: bad options accepted'); }, (e) => { if (!(e instanceof ValidationError)) throw e; });
  console.log('import: ok');
"

host "$work/cjs" commonjs
cp "$root/test/packaging/consumer.ts" index.ts
npx tsc -p .
echo "CommonJS consumer (strict, skipLibCheck false, no @types/pg): types ok"
node -e "
  const { createVetalyze, findMigrationsDirectory, ValidationError } = require('@vetalyze/db');
  if (typeof createVetalyze !== 'function') throw new Error('CJS: createVetalyze missing');
  if (!findMigrationsDirectory().includes('node_modules/@vetalyze/db/sql')) throw new Error('CJS: sql/ not found in the package: ' + findMigrationsDirectory());
  createVetalyze({ connectionString: '' }).then(() => { throw new Error('CJS: bad options accepted'); }, (e) => { if (!(e instanceof ValidationError)) throw e; console.log('require: ok'); });
"

# The harness beside the library it measures.
npm install --no-audit --no-fund --loglevel=error "$bench" >/dev/null
npx --no-install vetalyze --version >/dev/null && echo "bin vetalyze (from @vetalyze/bench): ok"
