import { EventProblem } from "@account-overview/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { LedgerRejected } from "../src/LedgerModels.js"

describe("LedgerModels", () => {
  it.effect("LedgerRejected lists every problem in its message, the field first when there is one", () =>
    Effect.sync(() => {
      const error = new LedgerRejected({
        problems: [
          { index: 1, field: "user", message: 'no customer "x"' },
          { index: 2, field: "", message: "line 3 is not valid JSON" }
        ]
      })
      assert.strictEqual(error._tag, "LedgerRejected")
      assert.strictEqual(error.message, 'user: no customer "x"; line 3 is not valid JSON')
    })
  )

  it.effect("LedgerRejected's problems are core's EventProblem", () =>
    Effect.sync(() => {
      const problem = { index: 0, field: "id", message: "missing" }
      const decoded = Schema.decodeUnknownSync(LedgerRejected)({ _tag: "LedgerRejected", problems: [problem] })
      assert.deepStrictEqual(decoded.problems, [Schema.decodeUnknownSync(EventProblem)(problem)])
      assert.throws(() =>
        Schema.decodeUnknownSync(LedgerRejected)({
          _tag: "LedgerRejected",
          problems: [{ index: 0.5, field: "", message: "" }]
        })
      )
    })
  )
})
