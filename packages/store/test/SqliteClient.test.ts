import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { fileURLToPath } from "node:url"
import { assert, describe, it, layer } from "@effect/vitest"
import { Context, Deferred, Effect, Exit, Fiber, Layer } from "effect"
import { SqlClient, SqlError } from "effect/sql"
import { databaseOf, handlesOf, readerOf } from "../src/internal/sqliteHandle.js"
import { layerSqliteClient, type SqliteSynchronous } from "../src/SqliteClient.js"
import { scopedDir } from "./support/ledgerLayers.js"

const setup = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER, label TEXT UNIQUE, at TEXT, flag INTEGER, note TEXT)`
  yield* sql`CREATE TABLE parents (id INTEGER PRIMARY KEY)`
  yield* sql`CREATE TABLE children (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parents(id))`
})

// The same suite on both places a client's connection lives: this thread (`:memory:`) and a
// file's writer thread.
const memory = Layer.effectDiscard(setup).pipe(Layer.provideMerge(layerSqliteClient({ filename: ":memory:" })))
const file = Layer.unwrap(
  Effect.gen(function* () {
    const dir = yield* scopedDir("ao-sqlite")
    return Layer.effectDiscard(setup).pipe(Layer.provideMerge(layerSqliteClient({ filename: join(dir, "items.db") })))
  })
)

const reasonOf = <A>(exit: Exit.Exit<A, SqlError.SqlError | unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  return error !== undefined && error._tag === "Fail" && SqlError.isSqlError(error.error)
    ? error.error.reason._tag
    : "other"
}

for (const [where, clientLayer] of [
  ["in memory, on this thread", memory],
  ["on a file, in its writer thread", file]
] as const) {
  layer(clientLayer)(`SqliteClient ${where}`, (it) => {
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
}

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

  it.effect("a write that waits for another connection's lock waits in the writer thread: this thread runs on", () =>
    Effect.gen(function* () {
      const dir = yield* scopedDir("ao-sqlite")
      const filename = join(dir, "lock.db")
      const context = yield* Layer.build(layerSqliteClient({ filename, busyTimeout: "120 seconds" }))
      const sql = Context.get(context, SqlClient.SqlClient)
      yield* sql`CREATE TABLE t (x INTEGER)`
      const other = new DatabaseSync(filename)
      yield* Effect.addFinalizer(() => Effect.sync(() => other.isOpen && other.close()))
      other.exec("BEGIN IMMEDIATE")
      const write = yield* Effect.forkChild(sql`INSERT INTO t (x) VALUES (1)`)
      // On this thread a write would spin in SQLite's busy handler, and nothing else would run.
      yield* Effect.promise(() => turns(50))
      assert.isUndefined(write.pollUnsafe())
      other.exec("COMMIT")
      yield* Fiber.join(write)
      assert.deepStrictEqual(yield* sql<{ x: number }>`SELECT x FROM t`, [{ x: 1 }])
    }).pipe(Effect.scoped)
  )

  it.effect("what the writer thread committed is in the file when the scope has closed; a second client reads it", () =>
    Effect.gen(function* () {
      const dir = yield* scopedDir("ao-sqlite")
      const filename = join(dir, "closed.db")
      yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE t (x INTEGER)`
        yield* sql.withTransaction(sql`INSERT INTO t (x) VALUES (1), (2)`)
      }).pipe(Effect.provide(layerSqliteClient({ filename })))
      const db = new DatabaseSync(filename, { readOnly: true })
      const rows = db.prepare("SELECT x FROM t ORDER BY x").all()
      db.close()
      assert.deepStrictEqual(
        rows.map((r) => r.x),
        [1, 2]
      )
      const again = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        return yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM t`
      }).pipe(Effect.provide(layerSqliteClient({ filename })))
      assert.deepStrictEqual(again, [{ n: 2 }])
    }).pipe(Effect.scoped)
  )

  it.effect("when the writer thread dies, every statement after fails with a ConnectionError; closing still ends", () =>
    Effect.gen(function* () {
      const dir = yield* scopedDir("ao-sqlite")
      const context = yield* Layer.build(layerSqliteClient({ filename: join(dir, "dies.db") }))
      const sql = Context.get(context, SqlClient.SqlClient)
      yield* sql`CREATE TABLE t (x INTEGER)`
      const writer = handlesOf(sql)?.writer
      assert.isDefined(writer)
      yield* Effect.promise(() => writer!.terminate())
      assert.strictEqual(reasonOf(yield* Effect.exit(sql`INSERT INTO t (x) VALUES (1)`)), "ConnectionError")
      assert.strictEqual(reasonOf(yield* Effect.exit(sql`SELECT x FROM t`)), "ConnectionError")
    }).pipe(Effect.scoped)
  )

  it.effect("a process whose client is never closed ends by itself, once its last write is answered", () =>
    Effect.gen(function* () {
      const dir = yield* scopedDir("ao-sqlite")
      const filename = join(dir, "exit.db")
      // The built client in a process of its own: a top-level await that nothing keeps alive
      // would end the process with code 13 before the write is answered.
      const script = `
        import { Context, Effect, Layer, Scope } from "effect"
        import { SqlClient } from "effect/sql"
        import { layerSqliteClient } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)}
        const scope = Effect.runSync(Scope.make())
        await Effect.runPromise(Effect.gen(function* () {
          const context = yield* Layer.buildWithScope(layerSqliteClient({ filename: ${JSON.stringify(filename)} }), scope)
          const sql = Context.get(context, SqlClient.SqlClient)
          yield* sql\`CREATE TABLE t (x INTEGER)\`
          yield* sql\`INSERT INTO t (x) VALUES (7)\`
        }))`
      const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        encoding: "utf8",
        timeout: 60_000
      })
      assert.strictEqual(child.status, 0, child.stderr)
      const db = new DatabaseSync(filename, { readOnly: true })
      const rows = db.prepare("SELECT x FROM t").all()
      db.close()
      assert.deepStrictEqual(
        rows.map((r) => r.x),
        [7]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("writerThread: false keeps a file's connection on this thread", () =>
    Effect.gen(function* () {
      const dir = yield* scopedDir("ao-sqlite")
      const context = yield* Layer.build(layerSqliteClient({ filename: join(dir, "inline.db"), writerThread: false }))
      const sql = Context.get(context, SqlClient.SqlClient)
      assert.isDefined(databaseOf(sql))
      const threaded = yield* Layer.build(layerSqliteClient({ filename: join(dir, "threaded.db") }))
      assert.isUndefined(databaseOf(Context.get(threaded, SqlClient.SqlClient)))
      assert.isDefined(readerOf(Context.get(threaded, SqlClient.SqlClient)))
    }).pipe(Effect.scoped)
  )
})

// Resolves after `n` turns of this thread's event loop.
const turns = (n: number) =>
  new Promise<void>((resolve) => {
    let left = n
    const tick = () => (--left === 0 ? resolve() : setImmediate(tick))
    setImmediate(tick)
  })
