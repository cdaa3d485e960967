import { assert, describe, it } from "@effect/vitest"
import { OpenApi } from "effect/http-api"
import { OperatorApi } from "../src/OperatorApi.js"

describe("OperatorApi", () => {
  it("declares every operator route with bearer security", () => {
    const spec = OpenApi.fromApi(OperatorApi)
    const routes = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.keys(item as object)
        .filter((m) => ["get", "put", "post", "delete"].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`)
    )
    assert.deepStrictEqual(routes.sort(), [
      "DELETE /v1/customers/{user}/package/scheduled",
      "DELETE /v1/webhooks/{id}",
      "GET /v1/customers",
      "GET /v1/customers/{user}",
      "GET /v1/customers/{user}/cycles",
      "GET /v1/customers/{user}/overview",
      "GET /v1/packages",
      "GET /v1/resellers/{apiUser}/cycles",
      "GET /v1/resellers/{apiUser}/cycles.csv",
      "GET /v1/resellers/{apiUser}/overviews",
      "GET /v1/webhooks",
      "GET /v1/webhooks/{id}",
      "GET /v1/webhooks/{id}/deliveries",
      "POST /v1/customers/{user}/package",
      "POST /v1/resellers/{apiUser}/rotate-key",
      "POST /v1/usage",
      "POST /v1/usage/voids",
      "POST /v1/webhooks/{id}/deliveries/{deliveryId}/redeliver",
      "POST /v1/webhooks/{id}/rotate-secret",
      "PUT /v1/customers/{user}",
      "PUT /v1/packages/{name}",
      "PUT /v1/resellers/{apiUser}",
      "PUT /v1/webhooks/{id}"
    ])
    assert.property(spec.components.securitySchemes, "bearer")
  })

  it("documents every operation with a summary, every group with a description, a server and a license", () => {
    const spec = OpenApi.fromApi(OperatorApi)
    const operations = Object.values(spec.paths).flatMap((item) =>
      Object.entries(item as Record<string, { summary?: string }>).filter(([m]) =>
        ["get", "put", "post", "delete"].includes(m)
      )
    )
    assert.strictEqual(operations.length, 23)
    for (const [, operation] of operations) assert.isString(operation.summary)
    assert.strictEqual(new Set(operations.map(([, o]) => o.summary)).size, operations.length)
    assert.deepStrictEqual(spec.servers, [{ url: "/", description: "The service that serves this document" }])
    assert.strictEqual(spec.info.license?.name, "MIT")
    for (const tag of spec.tags) assert.isString(tag.description, tag.name)
  })

  it("types the query parameter limit as the integer from 1 to 1000 the server takes, 100 by default", () => {
    const spec = OpenApi.fromApi(OperatorApi)
    for (const path of ["/v1/customers", "/v1/resellers/{apiUser}/overviews", "/v1/webhooks/{id}/deliveries"]) {
      const get = (spec.paths[path] as { get: { parameters: ReadonlyArray<{ name: string; schema: unknown }> } }).get
      const limit = get.parameters.find((p) => p.name === "limit")
      assert.deepStrictEqual(limit?.schema, { type: "integer", minimum: 1, maximum: 1000, default: 100 }, path)
    }
  })
})
