import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { afterAll } from "vitest"
import type { AdminInput, ConnectionInput } from "../src/Cli.js"
import { ExitCode } from "../src/CliFailure.js"
import { scrub } from "../src/Io.js"
import { printableUrl, resolveAdmin, resolveConnection, secretsFromEnvironment } from "../src/Settings.js"

const flags = (overrides: Partial<ConnectionInput> = {}): ConnectionInput => ({
  baseUrl: Option.none(),
  apiUser: Option.none(),
  apiKey: Option.none(),
  apiKeyStdin: false,
  format: "json",
  dialect: "v2",
  timeoutMs: Option.none(),
  ...overrides
})

const adminFlags: AdminInput = { baseUrl: Option.none(), adminTokenStdin: false, timeoutMs: Option.some(500) }

const withEnv = (env: Record<string, string>) => Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(env)))

const usage = <A, E extends { readonly exitCode: number; readonly message?: string | undefined }>(
  effect: Effect.Effect<A, E>
) =>
  Effect.map(Effect.flip(effect), (failure) => {
    assert.strictEqual(failure.exitCode, ExitCode.usage)
    return failure.message
  })

const env = {
  ACCOUNT_OVERVIEW_BASE_URL: "http://127.0.0.1:8080/",
  ACCOUNT_OVERVIEW_API_USER: "acme",
  ACCOUNT_OVERVIEW_API_KEY: "env-key"
}

describe("Settings", () => {
  it.effect("the reseller connection from the environment, the URL's trailing slash dropped", () =>
    Effect.gen(function* () {
      const connection = yield* resolveConnection(flags(), undefined).pipe(withEnv(env))
      assert.strictEqual(connection.baseUrl, "http://127.0.0.1:8080")
      assert.strictEqual(connection.apiUser, "acme")
      assert.strictEqual(Redacted.value(connection.apiKey), "env-key")
      assert.strictEqual(connection.dialect, "v2")
      assert.isUndefined(connection.timeoutMs)
    })
  )

  it.effect("flags win over the environment; a blank variable counts as unset", () =>
    Effect.gen(function* () {
      const connection = yield* resolveConnection(
        flags({
          baseUrl: Option.some("https://other.example"),
          apiUser: Option.some("globex"),
          timeoutMs: Option.some(5)
        }),
        undefined
      ).pipe(withEnv(env))
      assert.strictEqual(connection.baseUrl, "https://other.example")
      assert.strictEqual(connection.apiUser, "globex")
      assert.strictEqual(connection.timeoutMs, 5)
      const blank = yield* usage(
        resolveConnection(flags(), undefined).pipe(withEnv({ ...env, ACCOUNT_OVERVIEW_API_USER: "  " }))
      )
      assert.strictEqual(blank, "no api user: give --api-user or set ACCOUNT_OVERVIEW_API_USER")
    })
  )

  it.effect("a URL that does not parse is printed without its user name and password", () =>
    Effect.gen(function* () {
      for (const [url, printed] of [
        ["http://bob:pa/ss@h.example", "http://<redacted>@h.example"],
        ["http://bob:p?a#s@s@h.example:99/x", "http://<redacted>@h.example:99/x"],
        ["bob:pa/ss@h.example", "<redacted>@h.example"],
        ["http ://bob:pa/ss@h.example", "<redacted>@h.example"]
      ] as const) {
        const message = yield* usage(
          resolveConnection(flags({ baseUrl: Option.some(url) }), undefined).pipe(withEnv(env))
        )
        assert.include(message, printed, url)
        assert.notInclude(message, "pa/ss", url)
        assert.notInclude(message, "p?a#s", url)
      }
      assert.strictEqual(printableUrl("http://h.example/a@b"), "http://<redacted>@b")
      assert.strictEqual(printableUrl("http://h.example"), "http://h.example")
      // Registered as secrets: any other output shows them as ***.
      assert.strictEqual(scrub("pw pa/ss"), "pw ***")
    })
  )

  it.effect("a missing or bad URL, a missing key, stdin asked for twice: usage errors in one sentence", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* usage(resolveConnection(flags(), undefined).pipe(withEnv({}))),
        "no service URL: give --base-url or set ACCOUNT_OVERVIEW_BASE_URL"
      )
      assert.strictEqual(
        yield* usage(resolveConnection(flags({ baseUrl: Option.some("not a url") }), undefined).pipe(withEnv(env))),
        'the service URL "not a url" is not a URL, such as http://127.0.0.1:8080'
      )
      assert.strictEqual(
        yield* usage(
          resolveConnection(flags({ baseUrl: Option.some("ftp://h.example") }), undefined).pipe(withEnv(env))
        ),
        'the service URL "ftp://h.example" must start with http:// or https://'
      )
      assert.strictEqual(
        yield* usage(
          resolveConnection(flags({ baseUrl: Option.some("http://bob:hunter2@h.example") }), undefined).pipe(
            withEnv(env)
          )
        ),
        "the service URL must not carry a user name or password"
      )
      const { ACCOUNT_OVERVIEW_API_KEY: _, ...noKey } = env
      assert.strictEqual(
        yield* usage(resolveConnection(flags(), undefined).pipe(withEnv(noKey))),
        "no api key: give --api-key-stdin or set ACCOUNT_OVERVIEW_API_KEY"
      )
      assert.strictEqual(
        yield* usage(resolveConnection(flags({ apiKeyStdin: true }), "--users-file -").pipe(withEnv(env))),
        "--api-key-stdin and --users-file - both read stdin; set ACCOUNT_OVERVIEW_API_KEY instead"
      )
      assert.strictEqual(
        yield* usage(
          resolveConnection(flags({ apiKeyStdin: true, apiKey: Option.some("k") }), undefined).pipe(withEnv(env))
        ),
        "give the api key with --api-key or --api-key-stdin, not both"
      )
    })
  )

  it.effect("the operator connection: the token from the environment, or a usage error", () =>
    Effect.gen(function* () {
      const admin = yield* resolveAdmin(adminFlags, undefined).pipe(
        withEnv({ ...env, ACCOUNT_OVERVIEW_ADMIN_TOKEN: "t0ken" })
      )
      assert.strictEqual(admin.baseUrl, "http://127.0.0.1:8080")
      assert.strictEqual(Redacted.value(admin.adminToken), "t0ken")
      assert.strictEqual(admin.timeoutMs, 500)
      assert.strictEqual(
        yield* usage(resolveAdmin(adminFlags, undefined).pipe(withEnv(env))),
        "no operator token: set ACCOUNT_OVERVIEW_ADMIN_TOKEN or give --admin-token-stdin"
      )
      assert.strictEqual(
        yield* usage(resolveAdmin({ ...adminFlags, adminTokenStdin: true }, "usage import -").pipe(withEnv(env))),
        "--admin-token-stdin and usage import - both read stdin; set ACCOUNT_OVERVIEW_ADMIN_TOKEN instead"
      )
    })
  )

  it("the secrets known before parsing: an --api-key flag's value, in both spellings", () => {
    const found = secretsFromEnvironment(["overview", "a", "--api-key", "s1", "--api-key=s2", "--api-key"])
    assert.includeMembers(found, ["s1", "s2"])
    assert.notInclude(found, "overview")
  })
})

describe("Settings: profiles of the config file", () => {
  const home = mkdtempSync(join(tmpdir(), "ao-settings-"))
  afterAll(() => rmSync(home, { recursive: true, force: true }))
  mkdirSync(join(home, "account-overview"))
  const config = join(home, "account-overview", "config.json")
  writeFileSync(
    config,
    JSON.stringify({
      profiles: {
        default: { baseUrl: "http://default.example", apiUser: "default-user", timeoutMs: 700 },
        prod: { baseUrl: "https://prod.example", apiUser: "prod-user", apiKey: "prod-key", adminToken: "prod-token" }
      }
    }),
    { mode: 0o600 }
  )
  const xdg = { XDG_CONFIG_HOME: home }

  it.effect("the default profile fills what the environment leaves unset", () =>
    Effect.gen(function* () {
      const connection = yield* resolveConnection(flags(), undefined).pipe(
        withEnv({ ...xdg, ACCOUNT_OVERVIEW_API_USER: "env-user", ACCOUNT_OVERVIEW_API_KEY: "env-key" })
      )
      assert.strictEqual(connection.baseUrl, "http://default.example")
      assert.strictEqual(connection.apiUser, "env-user")
      assert.strictEqual(Redacted.value(connection.apiKey), "env-key")
      assert.strictEqual(connection.timeoutMs, 700)
    })
  )

  it.effect("a named profile wins over the environment; flags win over both", () =>
    Effect.gen(function* () {
      const named = yield* resolveConnection(flags({ profile: Option.some("prod") }), undefined).pipe(
        withEnv({ ...xdg, ...env })
      )
      assert.strictEqual(named.baseUrl, "https://prod.example")
      assert.strictEqual(named.apiUser, "prod-user")
      assert.strictEqual(Redacted.value(named.apiKey), "prod-key")
      assert.isUndefined(named.timeoutMs, "a named profile does not take the default profile's settings")
      const byEnv = yield* resolveAdmin(adminFlags, undefined).pipe(
        withEnv({ ...xdg, ...env, ACCOUNT_OVERVIEW_PROFILE: "prod", ACCOUNT_OVERVIEW_ADMIN_TOKEN: "env-token" })
      )
      assert.strictEqual(Redacted.value(byEnv.adminToken), "prod-token")
      assert.strictEqual(byEnv.timeoutMs, 500, "the --timeout-ms flag")
      const flagged = yield* resolveConnection(
        flags({
          profile: Option.some("prod"),
          apiUser: Option.some("flag-user"),
          baseUrl: Option.some("http://flag.example")
        }),
        undefined
      ).pipe(withEnv(xdg))
      assert.strictEqual(flagged.apiUser, "flag-user")
      assert.strictEqual(flagged.baseUrl, "http://flag.example")
    })
  )

  it.effect("a profile that is not there, or a config file others may read, is a usage error", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* usage(resolveConnection(flags({ profile: Option.some("staging") }), undefined).pipe(withEnv(xdg))),
        `no profile "staging" in ${config}; its profiles: default, prod`
      )
      chmodSync(config, 0o644)
      assert.strictEqual(
        yield* usage(
          resolveAdmin(adminFlags, undefined).pipe(withEnv({ ...xdg, ...env, ACCOUNT_OVERVIEW_ADMIN_TOKEN: "t" }))
        ),
        `${config} holds a key or token and others may read it (mode 644): run chmod 600 ${config}`
      )
      chmodSync(config, 0o600)
    })
  )
})
