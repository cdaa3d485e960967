import { assert, describe, it } from "@effect/vitest"
import { operatorRouteTemplateOf, operatorRouteTemplates } from "../../src/operator/Templates.js"

describe("operator route templates", () => {
  it("are the paths OperatorApi declares, once each", () => {
    const templates = operatorRouteTemplates()
    assert.strictEqual(new Set(templates).size, templates.length)
    for (const path of [
      "/v1/packages",
      "/v1/packages/:name",
      "/v1/resellers/:apiUser",
      "/v1/resellers/:apiUser/rotate-key",
      "/v1/resellers/:apiUser/overviews",
      "/v1/customers",
      "/v1/customers/:user",
      "/v1/customers/:user/overview"
    ]) {
      assert.include(templates, path)
    }
  })

  it("give each path its template, literal segments before parameters", () => {
    assert.strictEqual(operatorRouteTemplateOf("/v1/customers/a%40b.example"), "/v1/customers/:user")
    assert.strictEqual(operatorRouteTemplateOf("/v1/customers/a%40b.example/overview"), "/v1/customers/:user/overview")
    assert.strictEqual(operatorRouteTemplateOf("/v1/customers"), "/v1/customers")
    assert.strictEqual(operatorRouteTemplateOf("/v1/resellers/acme/rotate-key"), "/v1/resellers/:apiUser/rotate-key")
    assert.strictEqual(operatorRouteTemplateOf("/v1/resellers/acme/overviews"), "/v1/resellers/:apiUser/overviews")
    assert.strictEqual(operatorRouteTemplateOf("/v1/packages/Silver%20Package"), "/v1/packages/:name")
  })

  it("give nothing for a path outside the API, so labels stay a bounded set", () => {
    for (const path of [
      "/v1",
      "/v1/",
      "/v1/customers/",
      "/v1/customers//overview",
      "/v1/other/x",
      "v1/customers",
      "/v2/customers/x"
    ]) {
      assert.isUndefined(operatorRouteTemplateOf(path), path)
    }
  })
})
