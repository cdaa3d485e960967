import { assert, describe, it } from "@effect/vitest"
import { fetchTransport, pathOf } from "../src/index.js"
import { transportSuite } from "./support/transportSuite.js"

describe("pathOf", () => {
  it("keeps the path, drops the query string and the fragment", () => {
    assert.strictEqual(pathOf("https://h.example:8080/a/b.json?api_key=k#x"), "/a/b.json")
    assert.strictEqual(pathOf("http://h.example"), "/")
    assert.strictEqual(pathOf("http://h.example?x=1"), "/")
  })
})

transportSuite("fetchTransport", () => fetchTransport())
