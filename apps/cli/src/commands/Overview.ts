import { calendarDateFromEpochMillis } from "@account-overview/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { OverviewInput } from "../Cli.js"
import { CliFailure, ExitCode, usageError, worst } from "../Failure.js"
import { describe } from "../Failures.js"
import { streams } from "../Io.js"
import { overviewWriter } from "../Output.js"
import { progress } from "../Progress.js"
import { resolveConnection } from "../Settings.js"
import * as Stdin from "../Stdin.js"

/**
 * `account-overview overview <user...>`: fetches the overviews (several at
 * once), prints each as it comes in the chosen format, reports each failed
 * user on stderr, and ends with the worst exit code seen.
 */

/** User names from a users file: one a line, trimmed, blank lines and `#` comments skipped. */
export async function* usersOf(input: Stdin.Input): AsyncGenerator<string> {
  for await (const { text } of Stdin.numberedLines(input)) {
    const user = text.trim()
    if (user !== "" && !user.startsWith("#")) yield user
  }
}

async function* allUsers(
  fromArguments: ReadonlyArray<string>,
  file: Stdin.Input | undefined,
  counted: (n: number) => void
): AsyncGenerator<string> {
  let n = 0
  for (const user of fromArguments) {
    counted(++n)
    yield user
  }
  if (file !== undefined) {
    for await (const user of usersOf(file)) {
      counted(++n)
      yield user
    }
  }
}

export const overview = Effect.fn("overview")(function* (input: OverviewInput) {
  const usersFile = Option.getOrUndefined(input.usersFile)
  if (input.users.length === 0 && usersFile === undefined)
    return yield* usageError("give at least one user name, or --users-file")
  const connection = yield* resolveConnection(input, usersFile === "-" ? "--users-file -" : undefined)
  const file = usersFile === undefined ? undefined : yield* Stdin.open(usersFile, "users file")
  const io = streams()
  const single = input.users.length === 1 && file === undefined
  const output = Option.getOrElse(input.output, () => (io.stdoutIsTerminal ? "table" : "ndjson"))
  const today = calendarDateFromEpochMillis(yield* Clock.currentTimeMillis)
  const sdk = yield* Effect.promise(() => import("@account-overview/sdk"))

  const exitCode = yield* Effect.tryPromise({
    try: async (signal) => {
      const client = sdk.createClient({
        baseUrl: connection.baseUrl,
        apiUser: connection.apiUser,
        apiKey: Redacted.value(connection.apiKey),
        format: connection.format,
        dialect: connection.dialect,
        ...(connection.timeoutMs === undefined ? {} : { timeoutMs: connection.timeoutMs }),
        signal
      })
      const writer = overviewWriter({
        output,
        single,
        dialect: connection.dialect,
        today,
        colors: io.stdoutColors,
        unicode: io.stdoutIsTerminal
      })
      let read = 0
      let done = 0
      const bar = progress({ enabled: !single && io.stderrColors, label: "overviews", unit: "users" })
      let code: ExitCode = ExitCode.ok
      try {
        const users = allUsers(input.users, file, (n) => {
          read = n
        })
        for await (const result of client.overviews(users, { concurrency: input.concurrency })) {
          done += 1
          if (io.stdoutIsTerminal) bar.hide()
          if (result.ok) {
            writer.write({ user: result.user, ok: true, overview: result.overview })
          } else {
            const failure = describe(result.error, {
              baseUrl: connection.baseUrl,
              credentials: `api user "${connection.apiUser}"`,
              subject: { kind: "customer", name: result.user }
            })
            if (failure.exitCode === ExitCode.interrupted) throw result.error
            bar.log(`error: ${failure.sentence}`)
            writer.write({ user: result.user, ok: false, failure })
            code = worst(code, failure.exitCode)
          }
          bar.update(done, file === undefined ? input.users.length : Math.max(read, done))
        }
        bar.stop()
        writer.end()
      } finally {
        bar.stop()
        await client.close()
      }
      return code
    },
    catch: (error) => {
      const failure = describe(error, {
        baseUrl: connection.baseUrl,
        credentials: `api user "${connection.apiUser}"`
      })
      return new CliFailure(
        failure.exitCode === ExitCode.interrupted
          ? { exitCode: ExitCode.interrupted }
          : { exitCode: failure.exitCode, message: failure.sentence }
      )
    }
  })
  if (exitCode !== ExitCode.ok) return yield* new CliFailure({ exitCode })
})
