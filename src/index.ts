export type { ClinicStatus, StatusCacheOptions } from './cache/clinic-status-cache.js';
export { createVetalyze, type Vetalyze, type VetalyzeOptions } from './client.js';
export type { QueryEvent } from './db/interceptors.js';
export { findMigrationsDirectory, type MigrationResult, migrate } from './db/migrate.js';
export {
  ConflictError,
  DatabaseError,
  IllegalTransitionError,
  MigrationError,
  NotFoundError,
  TenantViolationError,
  TimeoutError,
  UnavailableError,
  ValidationError,
  type ValidationIssue,
  VetalyzeError,
  type VetalyzeErrorCode,
} from './errors.js';
