import { assert, describe, it } from "@effect/vitest"
import { concat, declaredLength } from "../../src/internal/bytes.js"

describe("bytes", () => {
  it("concat joins chunks, and gives a single chunk as is", () => {
    const one = new Uint8Array([1, 2])
    assert.strictEqual(concat([one], 2), one)
    assert.deepStrictEqual(Array.from(concat([one, new Uint8Array([3]), new Uint8Array(0)], 3)), [1, 2, 3])
    assert.strictEqual(concat([], 0).byteLength, 0)
  })

  it("declaredLength reads a Content-Length, or nothing", () => {
    assert.strictEqual(declaredLength("123"), 123)
    assert.isUndefined(declaredLength(undefined))
    assert.isUndefined(declaredLength(null))
    assert.isUndefined(declaredLength("many"))
  })
})
