/**
 * @vetalyze/db: the PostgreSQL data layer of a multi-tenant veterinary-clinic
 * platform. Start with {@link createVetalyze}; see docs/ for guides.
 */
export type { ClinicStatus, StatusCacheOptions } from './cache/clinic-status-cache.js';
export {
  createVetalyze,
  type DiagnosticConnection,
  type Vetalyze,
  type VetalyzeOptions,
} from './client.js';
export {
  type CsvExportOptions,
  csvColumns,
  type ExportWriteResult,
  exportToCsv,
  exportToNdjson,
} from './clinic/export-writers.js';
export type { ImportResult, OwnerImportRow } from './clinic/import.js';
export type {
  CreateOwnerOptions,
  NewOwner,
  NewPet,
  NewPets,
  NewStaffMember,
  OwnerExportOptions,
  OwnerPatch,
  OwnerSearch,
  PageRequest,
  PetMove,
  PetPatch,
  PetSearch,
  StaffFilter,
} from './clinic/inputs.js';
export type { OwnerContact, OwnerSummary } from './clinic/owner-page.js';
export type { OwnersRepository } from './clinic/owners.js';
export type { PetsRepository } from './clinic/pets.js';
export type { Owner, OwnerRef, Pet, PetSex, PetWithOwner } from './clinic/rows.js';
export type { ClinicScope } from './clinic/scope.js';
export type { StaffMember, StaffRepository } from './clinic/staff.js';
export {
  findMigrationsDirectory,
  type MigrateOptions,
  type MigrationResult,
  migrate,
} from './db/migrate.js';
export type { PoolSsl } from './db/pool.js';
export type { QueryEvent, SlowQueryEvent } from './db/query-event.js';
export type { ReadOptions } from './db/replicas.js';
export { statementLabel } from './db/statement.js';
export {
  ConflictError,
  DatabaseError,
  IllegalTransitionError,
  MigrationError,
  NotFoundError,
  PoolExhaustedError,
  TenantViolationError,
  TimeoutError,
  UnavailableError,
  ValidationError,
  type ValidationIssue,
  VetalyzeError,
  type VetalyzeErrorCode,
} from './errors.js';
export type { WriteOptions } from './idempotency.js';
export type { Page } from './paging.js';
export type {
  ClinicBrief,
  ClinicContact,
  ClinicDetail,
  ClinicFields,
  ClinicSummary,
  ClinicsRepository,
  CreateClinicInput,
  ListClinicsOptions,
  OpenSubscription,
  UpdateClinicInput,
  UpdateClinicOptions,
} from './platform/clinics.js';
export type { UserRole } from './platform/fields.js';
export type {
  Country,
  LookupsRepository,
  PaymentMethod,
  PetType,
  SubscriptionType,
} from './platform/lookups.js';
export type {
  ActivateInput,
  ActiveSubscription,
  ActiveSubscriptionBrief,
  ListActiveOptions,
  ListByMonthOptions,
  ListGroupsOptions,
  MonthPage,
  RenewInput,
  SubscriptionGroup,
  SubscriptionRecord,
  SubscriptionsRepository,
} from './platform/subscriptions.js';
export type { CreateUserInput, User, UsersRepository } from './platform/users.js';
