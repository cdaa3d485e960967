import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { AdminInput } from "./Cli.js"
import { CliFailure, ExitCode } from "./Failure.js"
import { describe, type Subject } from "./Failures.js"
import { type AdminConnection, resolveAdmin } from "./Settings.js"

type Sdk = typeof import("@account-overview/sdk")

/** The SDK's operator client. */
export type OperatorClient = ReturnType<Sdk["createOperatorClient"]>

/**
 * Runs `f` with an operator client: resolves the connection (flags, env,
 * stdin), loads the SDK, and turns whatever `f` throws into one sentence
 * and an exit code. Interrupting the effect aborts the calls in flight.
 */
export const withOperator: <A>(
  input: AdminInput,
  options: { readonly stdinTaken?: string | undefined; readonly subject?: Subject | undefined },
  f: (client: OperatorClient, connection: AdminConnection, signal: AbortSignal) => Promise<A>
) => Effect.Effect<A, CliFailure> = Effect.fn("withOperator")(function* <A>(
  input: AdminInput,
  options: { readonly stdinTaken?: string | undefined; readonly subject?: Subject | undefined },
  f: (client: OperatorClient, connection: AdminConnection, signal: AbortSignal) => Promise<A>
) {
  const connection = yield* resolveAdmin(input, options.stdinTaken)
  const sdk = yield* Effect.promise(() => import("@account-overview/sdk"))
  return yield* Effect.tryPromise({
    try: async (signal) => {
      const client = sdk.createOperatorClient({
        baseUrl: connection.baseUrl,
        adminToken: Redacted.value(connection.adminToken),
        ...(connection.timeoutMs === undefined ? {} : { timeoutMs: connection.timeoutMs }),
        signal
      })
      try {
        return await f(client, connection, signal)
      } finally {
        await client.close?.()
      }
    },
    catch: (error) => {
      if (error instanceof CliFailure) return error
      const failure = describe(error, {
        baseUrl: connection.baseUrl,
        credentials: "the operator token",
        subject: options.subject
      })
      return failure.exitCode === ExitCode.interrupted
        ? new CliFailure({ exitCode: ExitCode.interrupted })
        : new CliFailure({ exitCode: failure.exitCode, message: failure.sentence })
    }
  })
})
