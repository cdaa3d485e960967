import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it, layer } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Layer } from "effect"
import { SqlClient, SqlError } from "effect/sql"
import { layerSqliteClient, type SqliteSynchronous } from "../src/SqliteClient.js"

const setup = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER, label TEXT UNIQUE, at TEXT, flag INTEGER, note TEXT)`
  yield* sql`CREATE TABLE parents (id INTEGER PRIMARY KEY)`
  yield* sql`CREATE TABLE children (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parents(id))`
})

const memory = Layer.effectDiscard(setup).pipe(Layer.provideMerge(layerSqliteClient({ filename: ":memory:" })))

const reasonOf = <A>(exit: Exit.Exit<A, SqlError.SqlError | unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  return error !== undefined && error._tag === "Fail" && SqlError.isSqlError(error.error)
    ? error.error.reason._tag
    : "other"
}

layer(memory)("SqliteClient", (it) => {
  it.effect("a duplicate primary key is a ConstraintError, a duplicate unique value a UniqueViolation", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO items (id, label) VALUES ('dup', 'one')`
      const primary = yield* Effect.exit(sql`INSERT INTO items (id, label) VALUES ('dup', 'two')`)
      assert.strictEqual(reasonOf(primary), "ConstraintError")
      const unique = yield* Effect.exit(sql`INSERT INTO items (id, label) VALUES ('other', 'one')`)
      assert.strictEqual(reasonOf(unique), "UniqueViolation")
    })
  )

  it.effect("foreign keys are enforced", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const exit = yield* Effect.exit(sql`INSERT INTO children (id, parent) VALUES (1, 42)`)
      assert.strictEqual(reasonOf(exit), "ConstraintError")
    })
  )

  it.effect("a syntax error fails typed, not as a defect", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const exit = yield* Effect.exit(sql`SELEC 1`)
      assert.isTrue(Exit.isFailure(exit))
      assert.notStrictEqual(reasonOf(exit), "other")
    })
  )

  it.effect("parameters are converted: a Date first, booleans, undefined, bigint, JSON", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const at = new Date("2024-02-29T13:45:00.000Z")
      yield* sql.unsafe("INSERT INTO items (at, id, n, flag, note) VALUES (?, ?, ?, ?, ?)", [
        at,
        "p1",
        12345678901234n,
        true,
        undefined
      ])
      yield* sql`INSERT INTO items (id, flag, note) VALUES (${"p2"}, ${false}, ${{ a: [1, 2] }})`
      const rows = yield* sql<{
        id: string
        n: number | null
        at: string | null
        flag: number
        note: string | null
      }>`SELECT id, n, at, flag, note FROM items WHERE id IN ('p1', 'p2') ORDER BY id`
      assert.deepStrictEqual(rows, [
        { id: "p1", n: 12345678901234, at: "2024-02-29T13:45:00.000Z", flag: 1, note: null },
        { id: "p2", n: null, at: null, flag: 0, note: '{"a":[1,2]}' }
      ])
      assert.strictEqual(Object.getPrototypeOf(rows[0]), Object.prototype)
      const viaJson = yield* sql<{ value: number }>`SELECT value FROM json_each(${[3, 1, 2]}) ORDER BY value`
      assert.deepStrictEqual(
        viaJson.map((r) => r.value),
        [1, 2, 3]
      )
    })
  )

  it.effect("a failed transaction rolls back all its statements", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const exit = yield* Effect.exit(
        sql.withTransaction(
          Effect.gen(function* () {
            yield* sql`INSERT INTO items (id) VALUES ('t1')`
            yield* sql`INSERT INTO items (id) VALUES ('t2')`
            yield* sql`INSERT INTO items (id) VALUES ('t1')`
          })
        )
      )
      assert.strictEqual(reasonOf(exit), "ConstraintError")
      const rows = yield* sql`SELECT id FROM items WHERE id IN ('t1', 't2')`
      assert.strictEqual(rows.length, 0)
      yield* sql.withTransaction(sql`INSERT INTO items (id) VALUES ('t3')`)
      assert.strictEqual((yield* sql`SELECT id FROM items WHERE id = 't3'`).length, 1)
    })
  )

  it.effect("a nested transaction rolls back to its savepoint only", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* sql`INSERT INTO items (id) VALUES ('n1')`
          yield* Effect.exit(
            sql.withTransaction(
              Effect.andThen(sql`INSERT INTO items (id) VALUES ('n2')`, sql`INSERT INTO items (id) VALUES ('n1')`)
            )
          )
        })
      )
      const rows = yield* sql<{ id: string }>`SELECT id FROM items WHERE id IN ('n1', 'n2') ORDER BY id`
      assert.deepStrictEqual(
        rows.map((r) => r.id),
        ["n1"]
      )
    })
  )

  it.effect("another fiber's statement never lands inside an open transaction", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const started = yield* Deferred.make<void>()
      const outside = yield* Effect.forkChild(
        Effect.andThen(Deferred.await(started), sql`INSERT INTO items (id) VALUES ('outside')`)
      )
      const exit = yield* Effect.exit(
        sql.withTransaction(
          Effect.gen(function* () {
            yield* sql`INSERT INTO items (id) VALUES ('inside')`
            yield* Deferred.succeed(started, undefined)
            for (let i = 0; i < 20; i++) yield* Effect.yieldNow
            return yield* Effect.fail("abort" as const)
          })
        )
      )
      yield* Fiber.join(outside)
      assert.isTrue(Exit.isFailure(exit))
      const rows = yield* sql<{ id: string }>`SELECT id FROM items WHERE id IN ('inside', 'outside') ORDER BY id`
      assert.deepStrictEqual(
        rows.map((r) => r.id),
        ["outside"]
      )
    })
  )
})

describe("SqliteClient on a file", () => {
  it.effect("opens in WAL mode with FULL sync by default, NORMAL on request", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "ao-sqlite-"))
      const pragmas = (synchronous?: SqliteSynchronous) =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const [mode] = yield* sql<{ journal_mode: string }>`PRAGMA journal_mode`
          const [sync] = yield* sql<{ synchronous: number }>`PRAGMA synchronous`
          const [fk] = yield* sql<{ foreign_keys: number }>`PRAGMA foreign_keys`
          return [mode?.journal_mode, sync?.synchronous, fk?.foreign_keys]
        }).pipe(Effect.provide(layerSqliteClient({ filename: join(dir, "a.db"), synchronous })))
      const full = yield* pragmas()
      const normal = yield* pragmas("NORMAL")
      rmSync(dir, { recursive: true, force: true })
      assert.deepStrictEqual(full, ["wal", 2, 1])
      assert.deepStrictEqual(normal, ["wal", 1, 1])
    })
  )

  it.effect("a file that cannot be opened fails with a ConnectionError", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.provide(Effect.void, layerSqliteClient({ filename: "/nonexistent-dir/sub/x.db" }))
      )
      assert.strictEqual(reasonOf(exit), "ConnectionError")
    })
  )
})
