import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { expect } from "vitest"
import { cli } from "./support/Harness.js"

const commands = [
  [],
  ["overview"],
  ["admin"],
  ["admin", "packages"],
  ["admin", "packages", "set"],
  ["admin", "packages", "list"],
  ["admin", "resellers"],
  ["admin", "resellers", "set"],
  ["admin", "resellers", "rotate-key"],
  ["admin", "customers"],
  ["admin", "customers", "set"],
  ["admin", "customers", "get"],
  ["admin", "customers", "list"],
  ["admin", "customers", "overview"],
  ["admin", "customers", "change-package"],
  ["admin", "customers", "cancel-package-change"],
  ["admin", "usage"],
  ["admin", "usage", "import"],
  ["admin", "overviews"],
  ["admin", "cycles"],
  ["admin", "cycles", "history"],
  ["admin", "cycles", "report"]
] as const

const ansi = /\x1b\[/

describe("account-overview (the built executable)", () => {
  for (const path of commands) {
    it.effect(`--help of "${["account-overview", ...path].join(" ")}" has a description and examples`, () =>
      Effect.gen(function* () {
        const result = yield* cli([...path, "--help"])
        assert.strictEqual(result.code, 0)
        assert.strictEqual(result.stderr, "")
        assert.include(result.stdout, "DESCRIPTION")
        assert.include(result.stdout, "EXAMPLES")
        assert.notMatch(result.stdout, ansi)
        yield* Effect.promise(() =>
          expect(result.stdout).toMatchFileSnapshot(`__snapshots__/help/${["account-overview", ...path].join("-")}.txt`)
        )
      })
    )
  }

  it.effect("--version prints the name and version", () =>
    Effect.gen(function* () {
      const result = yield* cli(["--version"])
      assert.strictEqual(result.code, 0)
      assert.match(result.stdout, /^account-overview \d+\.\d+\.\d+\n$/)
    })
  )

  for (const shell of ["bash", "zsh", "fish"] as const) {
    it.effect(`--completions ${shell} prints a completion script for every command`, () =>
      Effect.gen(function* () {
        const result = yield* cli(["--completions", shell])
        assert.strictEqual(result.code, 0)
        for (const word of ["overview", "admin", "customers", "rotate-key", "--users-file", "--output"]) {
          assert.include(result.stdout, word.replace(/^--/, ""))
        }
        yield* Effect.promise(() => expect(result.stdout).toMatchFileSnapshot(`__snapshots__/completions/${shell}.txt`))
      })
    )
  }

  it.effect("a usage error is one sentence on stderr, nothing on stdout, exit 2", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [
          ["overview", "--bogus"],
          'error: unknown flag --bogus for "account-overview overview"; see account-overview overview --help\n'
        ],
        [
          ["admin", "nope"],
          'error: unknown command "nope" for "account-overview admin"; see account-overview admin --help\n'
        ],
        [
          ["admin", "packages", "set", "Silver", "--credits", "many"],
          "error: invalid --credits: expected a number; see account-overview admin packages set --help\n"
        ],
        [
          ["admin", "packages", "set", "Silver", "--credits", "1.5"],
          "error: invalid --credits: expected an integer; see account-overview admin packages set --help\n"
        ],
        [
          ["admin", "packages", "set", "Silver"],
          'error: missing required flag --credits for "account-overview admin packages set"; see account-overview admin packages set --help\n'
        ],
        [
          ["overview", "alice", "--concurrency", "0"],
          "error: invalid --concurrency: expected a number from 1 to 256; see account-overview overview --help\n"
        ],
        [
          ["overview", "alice", "--output", "yaml"],
          "error: invalid --output: expected one of: table, json, ndjson, csv, xml; see account-overview overview --help\n"
        ],
        [
          [
            "admin",
            "customers",
            "set",
            "u",
            "--reseller",
            "r",
            "--package",
            "p",
            "--reputation",
            "5",
            "--billing-anchor",
            "2023-02-29"
          ],
          'error: invalid --billing-anchor: expected a real calendar date written YYYY-MM-DD, not "2023-02-29"; see account-overview admin customers set --help\n'
        ],
        [["overview"], "error: give at least one user name, or --users-file\n"]
      ]
      for (const [args, stderr] of cases) {
        const result = yield* cli(args)
        assert.strictEqual(result.code, 2, args.join(" "))
        assert.strictEqual(result.stdout, "", args.join(" "))
        assert.strictEqual(result.stderr, stderr, args.join(" "))
      }
    })
  )

  it.effect("positional arguments given by mistake are not echoed (they may be secrets)", () =>
    Effect.gen(function* () {
      const result = yield* cli(["admin", "packages", "list", "--admin-token-stdin", "s3cr3t-token-value"])
      assert.strictEqual(result.code, 2)
      assert.notInclude(result.stderr, "s3cr3t-token-value")
      assert.strictEqual(
        result.stderr,
        'error: "account-overview admin packages list" takes fewer arguments: 1 too many; see account-overview admin packages list --help\n'
      )
    })
  )

  it.effect("no subcommand prints the help and exits 0", () =>
    Effect.gen(function* () {
      const result = yield* cli([])
      assert.strictEqual(result.code, 0)
      assert.include(result.stdout, "SUBCOMMANDS")
    })
  )

  it.effect("colours only on a terminal: FORCE_COLOR with NO_COLOR still prints no ANSI", () =>
    Effect.gen(function* () {
      const result = yield* cli(["--help"], { env: { NO_COLOR: "1", FORCE_COLOR: "1" } })
      assert.notMatch(result.stdout, ansi)
    })
  )
})
