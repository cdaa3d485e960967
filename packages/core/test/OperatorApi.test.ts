import { assert, describe, it } from "@effect/vitest"
import { OpenApi } from "effect/http-api"
import { OperatorApi } from "../src/OperatorApi.js"

describe("OperatorApi", () => {
  it("declares every operator route with bearer security", () => {
    const spec = OpenApi.fromApi(OperatorApi)
    const routes = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.keys(item as object)
        .filter((m) => ["get", "put", "post"].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`)
    )
    assert.deepStrictEqual(routes.sort(), [
      "GET /v1/customers",
      "GET /v1/customers/{user}",
      "GET /v1/customers/{user}/overview",
      "GET /v1/packages",
      "GET /v1/resellers/{apiUser}/overviews",
      "POST /v1/resellers/{apiUser}/rotate-key",
      "POST /v1/usage",
      "POST /v1/usage/voids",
      "PUT /v1/customers/{user}",
      "PUT /v1/packages/{name}",
      "PUT /v1/resellers/{apiUser}"
    ])
    assert.property(spec.components.securitySchemes, "bearer")
  })
})
