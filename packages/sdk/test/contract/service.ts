import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { AppLayer, overLedger, type ServerSettings, Settings } from "@account-overview/http"
import { Ledger } from "@account-overview/store"
import { Effect, Layer, Option, Redacted } from "effect"
import { HttpServer } from "effect/http"

/** The operator token of the service under test. */
export const adminToken = randomBytes(24).toString("base64url")

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "ao-sdk-contract-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/**
 * The microservice, in this process, on an ephemeral port, over a fresh
 * SQLite ledger, with `overrides` of its test settings.
 */
export const serviceLayerWith = (overrides: Partial<ServerSettings> = {}) =>
  Layer.unwrap(
    Effect.map(tempDir, (dir) =>
      AppLayer.pipe(
        Layer.provide(overLedger(Ledger.layerSqlite(join(dir, "ledger.db")))),
        Layer.provide(
          Settings.layerTest({
            port: 0,
            host: "127.0.0.1",
            adminToken: Option.some(Redacted.make(adminToken)),
            logLevel: "None",
            authFailureLimit: 10_000,
            ...overrides
          })
        )
      )
    )
  )

/** The microservice with its default test settings. */
export const serviceLayer = serviceLayerWith()

/** The base URL the service listens on. */
export const baseUrl = HttpServer.addressFormattedWith((url) => Effect.succeed(url))
