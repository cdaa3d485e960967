import { assert, describe, it } from "@effect/vitest"
import { wireBaseOf, wireBases, wirePath, wireRouteOf, wireRoutes } from "../src/WireRoutes.js"

describe("wireRoutes", () => {
  it("holds the four paths with their format and dialect", () => {
    assert.deepStrictEqual(wireRoutes, [
      { path: "/api/distributor.account.json", format: "json", dialect: "v1" },
      { path: "/api/distributor.account.xml", format: "xml", dialect: "v1" },
      { path: "/apiv2/reseller.account.json", format: "json", dialect: "v2" },
      { path: "/apiv2/reseller.account.xml", format: "xml", dialect: "v2" }
    ])
  })

  it("finds a route by its path and a path by its format and dialect", () => {
    for (const route of wireRoutes) {
      assert.strictEqual(wireRouteOf(route.path), route)
      assert.strictEqual(wirePath(route.format, route.dialect), route.path)
    }
    assert.isUndefined(wireRouteOf("/api/distributor.account.csv"))
    assert.isUndefined(wireRouteOf("/api/distributor.account.json/"))
  })

  it("tells the dialect whose call a path is under", () => {
    assert.strictEqual(wireBaseOf("/api/distributor.account.csv"), "v1")
    assert.strictEqual(wireBaseOf(`${wireBases.v2}yaml`), "v2")
    assert.isUndefined(wireBaseOf("/api/other"))
  })
})
