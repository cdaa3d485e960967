import { readFileSync } from "node:fs"
import { gzipSync } from "node:zlib"
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { contentSecurityPolicy, loadAssets, webDir } from "../../src/app/Assets.js"
import { Harness, harness } from "../fixtures/Harness.js"

/** The size budget of the page, gzip: JS <= 12 KB, CSS <= 4 KB (decision record 0105). */
const budget = { js: 12 * 1024, css: 4 * 1024 }

describe("Assets", () => {
  layer(harness(), { excludeTestServices: true })("served", (it) => {
    it.effect(
      "redirects / to /app/, serves the HTML uncached with the CSP and the hashed assets immutable and compressed",
      () =>
        Effect.gen(function* () {
          const { baseUrl } = yield* Harness
          yield* Effect.promise(async () => {
            const root = await fetch(`${baseUrl}/`, { redirect: "manual" })
            assert.strictEqual(root.status, 302)
            assert.strictEqual(root.headers.get("location"), "/app/")
            const html = await fetch(`${baseUrl}/app/`)
            assert.strictEqual(html.status, 200)
            assert.strictEqual(html.headers.get("cache-control"), "no-cache")
            assert.strictEqual(html.headers.get("content-security-policy"), contentSecurityPolicy)
            const text = await html.text()
            assert.notMatch(text, /<script>|<style|style=/, "no inline script or style")
            const assets = [...text.matchAll(/\/app\/assets\/(app\.[0-9a-f]{12}\.(js|css))/g)].map((m) => m[1])
            assert.strictEqual(assets.length, 2)
            for (const name of assets) {
              const br = await fetch(`${baseUrl}/app/assets/${name}`, { headers: { "accept-encoding": "br" } })
              assert.strictEqual(br.status, 200)
              assert.strictEqual(br.headers.get("cache-control"), "public, max-age=31536000, immutable")
              assert.strictEqual(br.headers.get("content-encoding"), "br")
              assert.strictEqual(br.headers.get("vary"), "accept-encoding")
              await br.arrayBuffer()
            }
            const missing = await fetch(`${baseUrl}/app/assets/app.000000000000.js`)
            assert.strictEqual(missing.status, 404)
          })
        })
    )
  })

  describe("the size budget", () => {
    layer(harness(), { excludeTestServices: true })("of the built page", (it) => {
      it.effect("keeps the shipped JS and CSS within budget (gzip)", () =>
        Effect.sync(() => {
          const built = loadAssets()
          assert.isDefined(built, "the page is built")
          const sizes = JSON.parse(readFileSync(`${webDir}sizes.json`, "utf8")) as Record<
            "js" | "css",
            { name: string }
          >
          for (const kind of ["js", "css"] as const) {
            const bytes = readFileSync(`${webDir}assets/${sizes[kind].name}`)
            const gzip = gzipSync(bytes, { level: 9 }).byteLength
            assert.isAtMost(gzip, budget[kind], `${kind}: ${gzip} B gzip`)
          }
        })
      )
    })
  })
})
