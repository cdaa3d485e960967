/**
 * `@account-overview/store`: the Account Overview credit ledger on
 * `effect/sql`. Migrations, repositories, SQLite (`node:sqlite`) and
 * PostgreSQL layers, reseller key hashing, and the ledger layer of core's
 * `AccountOverviews` service.
 *
 * @since 0.1.0
 */
export * from "./Ledger.js"
export * from "./LedgerModels.js"
export * from "./LedgerOverviews.js"
export * from "./LedgerPage.js"
export * from "./LedgerSql.js"
export * from "./LedgerWebhooks.js"
export * from "./Migrations.js"
export * from "./ResellerKeys.js"
export * from "./SqliteClient.js"
