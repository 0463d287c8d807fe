/**
 * @vetalyze/db: the PostgreSQL data layer of a multi-tenant veterinary-clinic
 * platform. Start with {@link createVetalyze}; see docs/ for guides.
 */
export type { ClinicStatus, StatusCacheOptions } from './cache/clinic-status-cache.js';
export { createVetalyze, type Vetalyze, type VetalyzeOptions } from './client.js';
export type { OwnerExportOptions } from './clinic/export.js';
export {
  type CsvExportOptions,
  csvColumns,
  type ExportWriteResult,
  exportToCsv,
  exportToNdjson,
} from './clinic/export-writers.js';
export type { ImportResult, OwnerImportRow } from './clinic/import.js';
export type { OwnerSummary } from './clinic/owner-page.js';
export type {
  NewOwner,
  OwnerPatch,
  OwnerSearch,
  OwnersRepository,
  PageRequest,
} from './clinic/owners.js';
export type { NewPets, PetMove, PetPatch, PetSearch, PetsRepository } from './clinic/pets.js';
export type { Owner, Pet, PetWithOwner } from './clinic/rows.js';
export type { ClinicScope } from './clinic/scope.js';
export type { NewStaffMember, StaffFilter, StaffMember, StaffRepository } from './clinic/staff.js';
export { findMigrationsDirectory, type MigrationResult, migrate } from './db/migrate.js';
export type { QueryEvent, SlowQueryEvent } from './db/query-event.js';
export type { ReadOptions } from './db/replicas.js';
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
export type { Page } from './paging.js';
export type {
  ClinicDetail,
  ClinicSummary,
  ClinicsRepository,
  CreateClinicInput,
  ListClinicsOptions,
  OpenSubscription,
  UpdateClinicInput,
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
  ListByMonthOptions,
  ListGroupsOptions,
  MonthPage,
  RenewInput,
  SubscriptionGroup,
  SubscriptionRecord,
  SubscriptionsRepository,
} from './platform/subscriptions.js';
export type { CreateUserInput, User, UsersRepository } from './platform/users.js';
