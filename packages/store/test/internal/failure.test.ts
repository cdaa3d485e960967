import { assert, describe, it } from "@effect/vitest"
import { rootMessage } from "../../src/internal/failure.js"

describe("failure", () => {
  it("takes the innermost message of a chain of causes, on one line", () => {
    const driver = new Error("no schema has been selected\nto create in")
    const wrapped = new Error("PgConnection: Query failed", { cause: new Error("Query failed", { cause: driver }) })
    assert.strictEqual(rootMessage(wrapped), "no schema has been selected to create in")
    assert.strictEqual(rootMessage(new Error("plain")), "plain")
    assert.strictEqual(rootMessage({ message: "tagged", cause: { reason: 1 } }), "tagged")
    assert.strictEqual(rootMessage("a string"), "a string")
    assert.strictEqual(rootMessage(new Error("")), "unknown error")
  })

  it("replaces every secret it is given", () => {
    const error = new Error("cannot parse postgres://app:hunter2@db/x", { cause: new Error("bad hunter2 here") })
    assert.strictEqual(rootMessage(error, ["hunter2"]), "bad <redacted> here")
    assert.notInclude(rootMessage(new Error("postgres://app:hunter2@db/x"), ["postgres://app:hunter2@db/x"]), "hunter2")
  })
})
