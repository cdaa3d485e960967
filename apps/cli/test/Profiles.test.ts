import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { afterAll } from "vitest"
import { ExitCode } from "../src/CliFailure.js"
import { scrub } from "../src/Io.js"
import { configPath, parseConfig, readConfig, selectProfiles } from "../src/Profiles.js"

const dir = mkdtempSync(join(tmpdir(), "ao-profiles-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const file = (name: string, content: unknown, mode: number) => {
  const path = join(dir, name)
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content))
  chmodSync(path, mode)
  return path
}

const secret = `profile-key-${crypto.randomUUID()}`

describe("configPath", () => {
  it("is under XDG_CONFIG_HOME, else ~/.config, else nowhere", () => {
    assert.strictEqual(configPath("/x/conf", "/home/u"), "/x/conf/account-overview/config.json")
    assert.strictEqual(configPath(undefined, "/home/u"), "/home/u/.config/account-overview/config.json")
    assert.strictEqual(configPath(" ", "/home/u"), "/home/u/.config/account-overview/config.json")
    assert.isUndefined(configPath(undefined, undefined))
  })
})

describe("parseConfig", () => {
  it("reads named profiles, the secrets redacted and masked in every later diagnostic", () => {
    const parsed = parseConfig(
      "c.json",
      JSON.stringify({
        profiles: {
          default: { baseUrl: "http://127.0.0.1:8080", apiUser: "acme", timeoutMs: 2500 },
          prod: { baseUrl: "https://ao.example", apiKey: secret, adminToken: `${secret}-admin` }
        }
      })
    )
    assert.notStrictEqual(typeof parsed, "string")
    if (typeof parsed === "string") return
    assert.deepStrictEqual(parsed.profiles.default, {
      baseUrl: "http://127.0.0.1:8080",
      apiUser: "acme",
      timeoutMs: 2500
    })
    assert.strictEqual(Redacted.value(parsed.profiles.prod!.apiKey!), secret)
    assert.notInclude(String(parsed.profiles.prod!.apiKey), secret)
    assert.strictEqual(scrub(`the key ${secret}`), "the key ***")
  })

  it("refuses what is not a config, naming the setting and never repeating a value", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      [`{"profiles": {"p": {"apiKey": "${secret}"`, "c.json is not valid JSON"],
      ["[]", "c.json must hold a JSON object"],
      [`{"profile": {}}`, 'c.json: unknown key "profile" (the file holds "profiles")'],
      [`{"profiles": []}`, 'c.json: "profiles" must be an object of named profiles'],
      [`{"profiles": {"p": "x"}}`, 'c.json: profile "p" must be an object'],
      [`{"profiles": {"p": {"apikey": "${secret}"}}}`, 'c.json: unknown setting "apikey" in profile "p"'],
      [`{"profiles": {"p": {"apiKey": 42}}}`, 'c.json: "apiKey" of profile "p" must be a non-empty string'],
      [
        `{"profiles": {"p": {"timeoutMs": "${secret}"}}}`,
        'c.json: "timeoutMs" of profile "p" must be a positive whole number of milliseconds'
      ]
    ]
    for (const [text, message] of cases) assert.strictEqual(parseConfig("c.json", text), message)
  })
})

describe("readConfig", () => {
  it.effect("gives nothing for a missing file, and the profiles of a private one", () =>
    Effect.gen(function* () {
      assert.isUndefined(yield* readConfig(join(dir, "missing.json")))
      const path = file("private.json", { profiles: { prod: { apiKey: secret } } }, 0o600)
      const config = yield* readConfig(path)
      assert.strictEqual(Redacted.value(config!.profiles.prod!.apiKey!), secret)
      const open = file("open-no-secret.json", { profiles: { dev: { baseUrl: "http://localhost:1" } } }, 0o644)
      assert.strictEqual((yield* readConfig(open))!.profiles.dev!.baseUrl, "http://localhost:1")
    })
  )

  it.effect("refuses a file holding a key that others may read, saying how to fix it", () =>
    Effect.gen(function* () {
      for (const mode of [0o644, 0o640, 0o604]) {
        const path = file(`open-${mode.toString(8)}.json`, { profiles: { prod: { adminToken: secret } } }, mode)
        const failure = yield* Effect.flip(readConfig(path))
        assert.strictEqual(failure.exitCode, ExitCode.usage)
        assert.strictEqual(
          failure.message,
          `${path} holds a key or token and others may read it (mode ${mode.toString(8)}): run chmod 600 ${path}`
        )
      }
      const bad = file("bad.json", "{", 0o600)
      assert.strictEqual((yield* Effect.flip(readConfig(bad))).message, `${bad} is not valid JSON`)
    })
  )
})

describe("selectProfiles", () => {
  const config = { path: "c.json", profiles: { default: { apiUser: "d" }, prod: { apiUser: "p" } } }

  it.effect("the named profile over the environment, else the default one under it", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* selectProfiles(config, "prod", "c.json"), {
        named: { apiUser: "p" },
        fallback: undefined
      })
      assert.deepStrictEqual(yield* selectProfiles(config, undefined, "c.json"), {
        named: undefined,
        fallback: { apiUser: "d" }
      })
      assert.deepStrictEqual(yield* selectProfiles(undefined, undefined, "c.json"), {
        named: undefined,
        fallback: undefined
      })
    })
  )

  it.effect("a named profile that is not there is a usage error listing those that are", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        (yield* Effect.flip(selectProfiles(config, "staging", "c.json"))).message,
        'no profile "staging" in c.json; its profiles: default, prod'
      )
      assert.strictEqual(
        (yield* Effect.flip(selectProfiles(undefined, "prod", "/h/.config/account-overview/config.json"))).message,
        'profile "prod" asked for, but there is no config file at /h/.config/account-overview/config.json'
      )
    })
  )
})
