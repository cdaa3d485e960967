import { calendarDateFromEpochMillis, type Overview } from "@account-overview/core"
import type { ClientError } from "@account-overview/sdk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import type { OverviewInput, OverviewOutput } from "../Cli.js"
import { CliFailure, ExitCode, usageError, worst } from "../CliFailure.js"
import { describe, endWith, unexpected } from "../FailureText.js"
import { chooseFields, chooseOutput } from "../Fields.js"
import { streams } from "../Io.js"
import { overviewKeys, overviewWriter } from "../Output.js"
import { progress } from "../Progress.js"
import { resolveConnection } from "../Settings.js"
import * as Stdin from "../Stdin.js"

type Remote = typeof import("@account-overview/sdk").AccountOverviewsRemote.Service

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
  const fields = yield* chooseFields(input.fields, overviewKeys)
  const output = yield* chooseOutput<OverviewOutput>(input.output, fields, { terminal: "table", piped: "ndjson" })
  const connection = yield* resolveConnection(input, usersFile === "-" ? "--users-file -" : undefined)
  const file = usersFile === undefined ? undefined : yield* Stdin.open(usersFile, "users file")
  const io = streams()
  const single = input.users.length === 1 && file === undefined
  const today = calendarDateFromEpochMillis(yield* Clock.currentTimeMillis)
  const sdk = yield* Effect.promise(() => import("@account-overview/sdk"))
  const context = { baseUrl: connection.baseUrl, credentials: `api user "${connection.apiUser}"` }
  const layer = sdk.AccountOverviewsRemote.layer({
    baseUrl: connection.baseUrl,
    credentials: { apiUser: connection.apiUser, apiKey: connection.apiKey },
    format: connection.format,
    dialect: connection.dialect,
    ...(connection.timeoutMs === undefined ? {} : { timeoutMs: connection.timeoutMs })
  })

  const fetchAll = Effect.fnUntraced(function* (remote: Remote) {
    const writer = overviewWriter({
      output,
      single,
      dialect: connection.dialect,
      today,
      colors: io.stdoutColors,
      unicode: io.stdoutIsTerminal,
      fields
    })
    let read = 0
    let done = 0
    const bar = progress({ enabled: !single && io.stderrColors, label: "overviews", unit: "users" })
    let code: ExitCode = ExitCode.ok
    const report = (user: string, result: Result.Result<Overview, ClientError>) =>
      Effect.sync(() => {
        done += 1
        if (io.stdoutIsTerminal) bar.hide()
        if (Result.isSuccess(result)) {
          writer.write({ user, ok: true, overview: result.success })
        } else {
          const failure = describe(result.failure, { ...context, subject: { kind: "customer", name: user } })
          bar.log(`error: ${failure.sentence}`)
          writer.write({ user, ok: false, failure })
          code = worst(code, failure.exitCode)
        }
        bar.update(done, file === undefined ? input.users.length : Math.max(read, done))
      })
    const users = allUsers(input.users, file, (n) => {
      read = n
    })
    yield* Stream.fromAsyncIterable(users, (error) => endWith(unexpected(error))).pipe(
      Stream.mapEffect(
        (user) => Effect.map(Effect.result(remote.overview(user)), (result) => [user, result] as const),
        {
          concurrency: input.concurrency
        }
      ),
      Stream.runForEach(([user, result]) => report(user, result)),
      Effect.ensuring(Effect.sync(() => bar.stop()))
    )
    writer.end()
    return code
  })

  const code = yield* Effect.flatMap(Effect.service(sdk.AccountOverviewsRemote), fetchAll).pipe(
    Effect.provide(layer),
    Effect.catchTag("ConfigurationError", (error) => Effect.fail(endWith(describe(error, context))))
  )
  if (code !== ExitCode.ok) return yield* new CliFailure({ exitCode: code })
})
