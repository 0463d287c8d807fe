/**
 * Runs the HTTP service until SIGTERM or SIGINT, then drains and exits 0.
 * Migrate first (`npx vetalyze migrate --database-url "$DATABASE_URL"`), then:
 *
 *   npm run build
 *   DATABASE_URL=postgres://... CLINIC_TOKEN_SECRET=... OPERATOR_TOKEN=... PORT=8080 \
 *     node examples/http-api/main.ts
 *
 * Node 24 runs this TypeScript file as it is (type stripping); `@vetalyze/db`
 * resolves to the built package.
 */
import { startServer } from './server.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

const server = await startServer({
  connectionString: required('DATABASE_URL'),
  clinicTokenSecret: required('CLINIC_TOKEN_SECRET'),
  operatorToken: required('OPERATOR_TOKEN'),
  port: Number(process.env.PORT ?? 8080),
  host: process.env.HOST ?? '127.0.0.1',
});
console.log(`listening on ${server.url}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    console.log(`${signal}: draining`);
    // Nothing is left to keep the process alive once the server and the pools
    // are closed: it exits with code 0 on its own. A failure exits 1.
    server.close().then(
      () => console.log('closed'),
      (error: unknown) => {
        console.error('shutdown failed', error);
        process.exitCode = 1;
      },
    );
  });
}
