import { assert, describe, it } from "@effect/vitest"
import { operatorRoutes, paramNames, requestLine, routeOf } from "../../../src/internal/operator/routes.js"

describe("operator routes", () => {
  it("are read from OperatorApi: every endpoint's method and path", () => {
    const lines = Object.entries(operatorRoutes()).flatMap(([group, endpoints]) =>
      Object.entries(endpoints).map(([name, route]) => `${group}.${name} ${route.method} ${route.path}`)
    )
    assert.deepStrictEqual(lines, [
      "packages.set PUT /v1/packages/:name",
      "packages.list GET /v1/packages",
      "resellers.set PUT /v1/resellers/:apiUser",
      "resellers.rotateKey POST /v1/resellers/:apiUser/rotate-key",
      "resellers.overviews GET /v1/resellers/:apiUser/overviews",
      "customers.set PUT /v1/customers/:user",
      "customers.get GET /v1/customers/:user",
      "customers.list GET /v1/customers",
      "customers.overview GET /v1/customers/:user/overview",
      "usage.ingest POST /v1/usage",
      "usageVoids.void POST /v1/usage/voids",
      "billing.cycles GET /v1/customers/:user/cycles",
      "billing.changePackage POST /v1/customers/:user/package",
      "billing.cancelPackageChange DELETE /v1/customers/:user/package/scheduled",
      "billing.resellerCycles GET /v1/resellers/:apiUser/cycles",
      "billing.resellerCyclesCsv GET /v1/resellers/:apiUser/cycles.csv",
      "webhooks.set PUT /v1/webhooks/:id",
      "webhooks.list GET /v1/webhooks",
      "webhooks.get GET /v1/webhooks/:id",
      "webhooks.remove DELETE /v1/webhooks/:id",
      "webhooks.rotateSecret POST /v1/webhooks/:id/rotate-secret",
      "webhooks.deliveries GET /v1/webhooks/:id/deliveries",
      "webhooks.redeliver POST /v1/webhooks/:id/deliveries/:deliveryId/redeliver"
    ])
  })

  it("give a request line with the path parameters percent-encoded", () => {
    const route = routeOf("customers", "overview")
    assert.deepStrictEqual(paramNames(route), ["user"])
    assert.deepStrictEqual(requestLine(route, { user: "zoë & co/x@y" }), {
      method: "GET",
      path: "/v1/customers/zo%C3%AB%20%26%20co%2Fx%40y/overview"
    })
    assert.deepStrictEqual(requestLine(routeOf("packages", "list")), { method: "GET", path: "/v1/packages" })
    assert.throws(() => routeOf("packages", "delete"), /no endpoint packages\.delete/)
    const redeliver = routeOf("webhooks", "redeliver")
    assert.deepStrictEqual(paramNames(redeliver), ["id", "deliveryId"])
    assert.deepStrictEqual(
      requestLine(redeliver, { id: "ops", deliveryId: "d/1" }).path,
      "/v1/webhooks/ops/deliveries/d%2F1/redeliver"
    )
  })
})
