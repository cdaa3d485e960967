import { assert, describe, it } from "@effect/vitest"
import { nameKey, sameName } from "../src/NameKeys.js"

describe("nameKey", () => {
  it("is the NFC form in lower case; a lower-case ASCII name is its own key", () => {
    assert.strictEqual(nameKey("Customer@Example.COM"), "customer@example.com")
    const lower = "under@acme.example"
    assert.strictEqual(nameKey(lower), lower)
    assert.strictEqual(nameKey("J\u00dcRGEN@x"), "j\u00fcrgen@x")
    // NFD (u + combining diaeresis) and NFC spellings are one name.
    assert.strictEqual(nameKey("Ju\u0308rgen@x"), nameKey("J\u00fcrgen@x"))
    assert.isTrue(sameName("ACME", "acme"))
    // toLowerCase, not a full case fold: ß and ss stay two names.
    assert.isFalse(sameName("gro\u00df@x", "gross@x"))
  })
})
