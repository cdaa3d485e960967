/**
 * `@account-overview/store`: the Account Overview credit ledger on
 * `effect/sql`. Migrations, repositories, SQLite (`node:sqlite`) and
 * PostgreSQL layers, reseller key hashing, and the ledger layer of core's
 * `AccountOverviews` service.
 *
 * @since 0.1.0
 */
export {
  Ledger,
  type LedgerLayerOptions,
  LedgerRejected,
  type OverviewReading,
  type OverviewSource,
  type PgLedgerOptions,
  type SqliteLedgerOptions,
  type UsageTotals
} from "./Ledger.js"
export { type CustomerOverview, LedgerOverviews, type OverviewPage } from "./LedgerOverviews.js"
export { migrate, migrations, migrationsTable } from "./Migrations.js"
export {
  defaultScryptParams,
  generateKey,
  make as makeResellerKeys,
  ResellerKeys,
  type ResellerKeysOptions,
  type ScryptParams
} from "./ResellerKeys.js"
export * as SqliteClient from "./SqliteClient.js"
export {
  databaseUrl,
  databaseUrlError,
  defaultDatabaseUrl,
  migrateConfig,
  type PgOptions,
  parseDatabaseUrl,
  pgLayer,
  type SqliteOptions,
  type StoreTarget,
  sqliteLayer,
  sqlLayerConfig,
  urlLayer
} from "./StoreConfig.js"
