import { Unavailable } from "@account-overview/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, ConfigProvider, Effect, Exit, Schema } from "effect"
import { ServeError } from "effect/http/HttpServerError"
import { failureMessage, teardown } from "../src/main.js"
import { settingsConfig } from "../src/Settings.js"

const exitCode = (exit: Exit.Exit<unknown, unknown>): number => {
  let code = -1
  teardown(exit, (c) => {
    code = c
  })
  return code
}

describe("main", () => {
  it("exits 0 on success and after a signal, 1 on a failure", () => {
    assert.strictEqual(exitCode(Exit.succeed(1)), 0)
    assert.strictEqual(exitCode(Exit.interrupt(1)), 0)
    assert.strictEqual(exitCode(Exit.fail("boom")), 1)
    assert.strictEqual(exitCode(Exit.die(new Error("boom"))), 1)
  })

  it.effect("says what failed in one line: a setting, the address, the store, anything else", () =>
    Effect.gen(function* () {
      const config = yield* Effect.flip(settingsConfig.parse(ConfigProvider.fromEnv({ env: { PORT: "70000" } })))
      assert.strictEqual(
        failureMessage(Cause.fail(config)),
        'a setting is invalid: Expected a value between 0 and 65535 at ["PORT"]'
      )
      const inUse = Object.assign(new Error("listen EADDRINUSE: address already in use 127.0.0.1:3000"), {
        code: "EADDRINUSE"
      })
      assert.strictEqual(
        failureMessage(Cause.fail(new ServeError({ cause: inUse }))),
        "cannot listen: listen EADDRINUSE: address already in use 127.0.0.1:3000"
      )
      const store = new Unavailable({ reason: "store", detail: "cannot migrate the ledger: connect ECONNREFUSED" })
      assert.strictEqual(failureMessage(Cause.fail(store)), "cannot migrate the ledger: connect ECONNREFUSED")
      class Odd extends Schema.TaggedError<Odd>()("Odd", { message: Schema.String }) {}
      assert.strictEqual(failureMessage(Cause.fail(new Odd({ message: "two\n  lines" }))), "two lines")
      assert.strictEqual(failureMessage(Cause.die(new Error("a defect"))), "a defect")
      assert.strictEqual(failureMessage(Cause.fail("plain")), "plain")
      for (const cause of [Cause.fail(config), Cause.die(new Error("x"))]) {
        assert.notInclude(failureMessage(cause), "\n")
        assert.notMatch(failureMessage(cause), /\s+at\s+\S+\s+\(/)
      }
    })
  )
})
