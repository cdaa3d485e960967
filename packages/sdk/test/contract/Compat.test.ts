// The compatibility suite: clients nobody on this project wrote, against the
// service on an ephemeral port (here, beside the SDK's contract tests, as the
// SDK is what every answer is compared with). The official Node client (@sendgrid/client 8,
// pinned) with its defaults (a JSON body POST) and with a bearer token and a
// query string; Python's standard library reading XML with characters outside
// Latin-1. Every answer is decoded and compared with what this project's SDK
// decodes for the same customer, and the bytes of the clients are compared
// with each other.
import { execFile, spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { decodeResponse, type Overview, wirePath, wireRoutes } from "@account-overview/core"
import { assert, layer } from "@effect/vitest"
import { Client } from "@sendgrid/client"
import { Effect, Result } from "effect"
import { createClient, createOperatorClient } from "../../src/index.js"
import { adminToken, serviceLayer, baseUrl as serviceUrl } from "./service.js"

const execFileAsync = promisify(execFile)
const user = "umlaut@compat.example"
const umlautPackage = "Paket Gr\u00f6\u00dfe 5 \u2014 \u00dc"
const acme = { apiUser: "compat-reseller", apiKey: "" }

// A reseller with a generated key (it names its reseller, so a bearer token
// alone finds it) and a customer whose package name is outside Latin-1.
let seeded: Promise<void> | undefined
const seed = (url: string) =>
  Effect.promise(() => {
    seeded ??= (async () => {
      const operator = createOperatorClient({ baseUrl: url, adminToken, env: {} })
      await operator.packages.set(umlautPackage, { credits: 5_000 })
      const created = await operator.resellers.set(acme.apiUser)
      acme.apiKey = created.apiKey!
      await operator.customers.set(user, {
        reseller: acme.apiUser,
        package: umlautPackage,
        billingAnchor: "2024-01-10",
        reputation: 80
      })
    })()
    return seeded
  })
const service = Effect.map(serviceUrl, (url) => ({ baseUrl: url.replace(/\/$/, "") }))
const script = fileURLToPath(new URL("./overview_client.py", import.meta.url))
const python = spawnSync("python3", ["--version"]).status === 0
if (!python) console.warn("compat suite: python3 is not on this machine; the Python client's checks are SKIPPED")

const decode = (body: Uint8Array, contentType: string | undefined): Overview => {
  const decoded = decodeResponse(body, contentType)
  if (Result.isFailure(decoded)) throw new Error(decoded.failure.message)
  if (decoded.success._tag !== "Overview") throw new Error("not an overview")
  return decoded.success.overview
}

// The official client as its documentation shows it, pointed at the service.
// Request options other than url, method, body, qs and headers are set as
// defaults (`setDefaultRequest`): `request()` passes only those on to axios.
const sendgrid = (baseUrl: string, options: { readonly bearer?: string; readonly latin1?: boolean } = {}) => {
  const bearer = options.bearer
  const client = new Client()
  if (bearer !== undefined) {
    const warn = console.warn
    console.warn = () => {} // it warns that the key does not start with "SG."
    client.setApiKey(bearer)
    console.warn = warn
  }
  client.setDefaultRequest("baseUrl", baseUrl)
  if (options.latin1 === true) client.setDefaultRequest("responseEncoding" as never, "latin1" as never)
  else client.setDefaultRequest("responseType" as never, "arraybuffer" as never)
  return client
}

const bytesOf = (data: unknown): Uint8Array => new Uint8Array(data as ArrayBuffer)

layer(serviceLayer, { timeout: 60_000, excludeTestServices: true })(
  "compatibility suite (clients integrators already have)",
  (it) => {
    for (const { dialect, format, path } of wireRoutes) {
      it.effect(`@sendgrid/client defaults (JSON body POST) and Bearer + query string, ${path}`, () =>
        Effect.gen(function* () {
          const { baseUrl } = yield* service
          yield* seed(baseUrl)
          const sdk = createClient({ baseUrl, apiUser: acme.apiUser, apiKey: acme.apiKey, format, dialect, env: {} })
          const expected = yield* Effect.promise(() => sdk.overview(user))
          assert.strictEqual(expected.package, umlautPackage)

          const [byDefaults] = yield* Effect.promise(() =>
            sendgrid(baseUrl).request({
              method: "POST",
              url: path,
              body: { api_user: acme.apiUser, api_key: acme.apiKey, task: "overview", user }
            })
          )
          const [byBearer] = yield* Effect.promise(() =>
            sendgrid(baseUrl, { bearer: acme.apiKey }).request({
              method: "GET",
              url: path,
              qs: { task: "overview", user }
            })
          )
          for (const answer of [byDefaults, byBearer]) {
            assert.strictEqual(answer.statusCode, 200)
            assert.deepStrictEqual(decode(bytesOf(answer.body), String(answer.headers["content-type"])), expected)
          }
          assert.deepStrictEqual(bytesOf(byDefaults.body), bytesOf(byBearer.body))
          assert.strictEqual(wirePath(format, dialect), path)

          if (format === "xml") {
            // The README's note: XML answers are ISO-8859-1; the client reads them as text with `latin1`.
            const [asText] = yield* Effect.promise(() =>
              sendgrid(baseUrl, { latin1: true }).request({
                method: "POST",
                url: path,
                body: { api_user: acme.apiUser, api_key: acme.apiKey, task: "overview", user }
              })
            )
            assert.strictEqual(String(asText.body), Buffer.from(bytesOf(byDefaults.body)).toString("latin1"))
            assert.include(String(asText.body), "<package>Paket Gr\u00f6\u00dfe 5 &#8212; \u00dc</package>")
          }
        })
      )

      if (format === "xml") {
        it.effect(
          `Python standard library (urllib, ElementTree), ${path}${python ? "" : " (SKIPPED: no python3)"}`,
          () =>
            Effect.gen(function* () {
              if (!python) return
              const { baseUrl } = yield* service
              yield* seed(baseUrl)
              const sdk = createClient({
                baseUrl,
                apiUser: acme.apiUser,
                apiKey: acme.apiKey,
                format,
                dialect,
                env: {}
              })
              const expected = yield* Effect.promise(() => sdk.overview(user))
              const { stdout: out } = yield* Effect.promise(() =>
                execFileAsync("python3", [script, baseUrl, path, acme.apiUser, acme.apiKey, user], { encoding: "utf8" })
              )
              const answer = JSON.parse(out) as { status: number; body: string; fields: Record<string, string> }
              assert.strictEqual(answer.status, 200)
              const body = new Uint8Array(Buffer.from(answer.body, "base64"))
              assert.deepStrictEqual(decode(body, "text/xml; charset=ISO-8859-1"), expected)
              assert.strictEqual(answer.fields.package, umlautPackage)
              const [bySendgrid] = yield* Effect.promise(() =>
                sendgrid(baseUrl).request({
                  method: "POST",
                  url: path,
                  body: { api_user: acme.apiUser, api_key: acme.apiKey, task: "overview", user }
                })
              )
              assert.deepStrictEqual(body, bytesOf(bySendgrid.body))
            })
        )
      }
    }
  }
)
