import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { ExitCode } from "../src/CliFailure.js"
import { chooseFields, chooseOutput, pick } from "../src/Fields.js"

describe("chooseFields", () => {
  it.effect("takes the names in order, each once, white space ignored", () =>
    Effect.gen(function* () {
      assert.isUndefined(yield* chooseFields(Option.none(), ["a", "b"]))
      assert.deepStrictEqual(yield* chooseFields(Option.some(" b, a ,b,"), ["a", "b", "c"]), ["b", "a"])
    })
  )

  it.effect("an unknown or no name is a usage error naming the fields there are", () =>
    Effect.gen(function* () {
      const unknown = yield* Effect.flip(chooseFields(Option.some("a,zz"), ["a", "b"]))
      assert.strictEqual(unknown.exitCode, ExitCode.usage)
      assert.strictEqual(unknown.message, 'unknown field "zz" for --fields; the fields: a, b')
      assert.strictEqual(
        (yield* Effect.flip(chooseFields(Option.some(" , "), ["a"]))).message,
        "--fields needs at least one field name"
      )
    })
  )
})

describe("chooseOutput", () => {
  const defaults = { terminal: "table", piped: "ndjson" } as const

  it.effect("--output wins; with --fields it must be json or ndjson; fields alone take the piped output", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* chooseOutput(Option.some("csv"), undefined, defaults), "csv")
      assert.strictEqual(yield* chooseOutput(Option.some("json"), ["a"], defaults), "json")
      assert.strictEqual(yield* chooseOutput(Option.none(), ["a"], defaults), "ndjson")
      const refused = yield* Effect.flip(chooseOutput(Option.some("table"), ["a"], defaults))
      assert.strictEqual(refused.message, "--fields goes with --output json or ndjson, not table")
    })
  )
})

describe("pick", () => {
  it("keeps the fields named, in their order, those the object has", () => {
    const object = { user: "u", a: 1, b: 2 }
    assert.deepStrictEqual(JSON.stringify(pick(object, ["b", "user", "missing"])), '{"b":2,"user":"u"}')
    assert.strictEqual(pick(object, undefined), object)
  })
})
