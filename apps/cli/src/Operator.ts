import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { AdminInput } from "./Cli.js"
import type { CliFailure } from "./CliFailure.js"
import { describe, endWith, type Subject } from "./FailureText.js"
import { type AdminConnection, resolveAdmin } from "./Settings.js"

type Sdk = typeof import("@account-overview/sdk")

/** The SDK's operator client: its Effect service. */
export type OperatorClient = Sdk["OperatorClient"]["Service"]

/** What a call of the operator client fails with. */
export type OperatorError = import("@account-overview/sdk").ClientError

/**
 * Runs `f` with the operator client's Effect service: resolves the
 * connection (flags, env, stdin), loads the SDK, provides the service's
 * layer, and turns whatever `f` fails with into one sentence and an exit
 * code. Interrupting the effect interrupts the calls in flight.
 */
export const withOperator = Effect.fn("withOperator")(function* <A>(
  input: AdminInput,
  options: { readonly stdinTaken?: string | undefined; readonly subject?: Subject | undefined },
  f: (client: OperatorClient, connection: AdminConnection) => Effect.Effect<A, OperatorError | CliFailure>
) {
  const connection = yield* resolveAdmin(input, options.stdinTaken)
  const sdk = yield* Effect.promise(() => import("@account-overview/sdk"))
  const layer = sdk.OperatorClient.layer({
    baseUrl: connection.baseUrl,
    adminToken: Redacted.value(connection.adminToken),
    ...(connection.timeoutMs === undefined ? {} : { timeoutMs: connection.timeoutMs })
  })
  return yield* Effect.flatMap(Effect.service(sdk.OperatorClient), (client) => f(client, connection)).pipe(
    Effect.provide(layer),
    Effect.catch((error) =>
      Effect.fail(
        error._tag === "CliFailure"
          ? error
          : endWith(
              describe(error, {
                baseUrl: connection.baseUrl,
                credentials: "the operator token",
                subject: options.subject
              })
            )
      )
    )
  )
})
