import { assert, describe, it } from "@effect/vitest"
import { Redacted, Schema } from "effect"
import { Credentials, OverviewRequest, requestParameters } from "../src/OverviewRequest.js"

describe("Credentials and OverviewRequest", () => {
  it("keep the key redacted and refuse empty values", () => {
    const credentials = Schema.decodeUnknownSync(Credentials)({ apiUser: "r", apiKey: Redacted.make("s3cret") })
    assert.strictEqual(String(credentials.apiKey), "<redacted>")
    assert.notInclude(JSON.stringify(credentials), "s3cret")
    assert.throws(() => Schema.decodeUnknownSync(Credentials)({ apiUser: "", apiKey: Redacted.make("k") }))
    const request = { apiUser: "r", apiKey: Redacted.make("k"), task: "overview", user: "c" }
    assert.isTrue(Schema.is(OverviewRequest)(request))
    assert.isFalse(Schema.is(OverviewRequest)({ ...request, task: "list" }))
  })

  it("name the wire parameters", () => {
    assert.deepStrictEqual(requestParameters, {
      apiUser: "api_user",
      apiKey: "api_key",
      task: "task",
      user: "user"
    })
  })
})
