import type { WebhookDelivery, WebhookEndpoint, WebhookSecretRotation } from "@account-overview/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type {
  ListOutput,
  RecordOutput,
  WebhooksDeliveriesInput,
  WebhooksListInput,
  WebhooksRecordInput,
  WebhooksRedeliverInput,
  WebhooksRotateSecretInput,
  WebhooksSetInput
} from "../Cli.js"
import { chooseFields, chooseOutput } from "../Fields.js"
import { errLine, out, registerSecret, streams } from "../Io.js"
import { withOperator } from "../Operator.js"
import { type Field, fieldKeys, listWriter, onlyFields, writeRecord } from "../Records.js"

/**
 * The `account-overview admin webhooks ...` commands: webhook endpoints and
 * their delivery logs over the operator API. A signing secret is printed
 * once, on stdout, and never on stderr.
 */

const endpointFields: ReadonlyArray<Field<WebhookEndpoint>> = [
  { key: "id", header: "ID", get: (e) => e.id },
  { key: "url", header: "URL", get: (e) => e.url },
  { key: "events", header: "EVENTS", get: (e) => e.events.join(","), json: (e) => e.events },
  { key: "resellers", header: "RESELLERS", get: (e) => e.resellers?.join(","), json: (e) => e.resellers },
  { key: "enabled", header: "ENABLED", get: (e) => e.enabled },
  { key: "createdAt", header: "CREATED AT", get: (e) => e.createdAt },
  { key: "previousSecretExpiresAt", header: "OLD SECRET UNTIL", get: (e) => e.previousSecretExpiresAt },
  { key: "secret", header: "SECRET", get: (e) => e.secret }
]

const deliveryFields: ReadonlyArray<Field<WebhookDelivery>> = [
  { key: "id", header: "ID", get: (d) => d.id },
  { key: "eventId", header: "EVENT", get: (d) => d.eventId },
  { key: "type", header: "TYPE", get: (d) => d.type },
  { key: "customer", header: "CUSTOMER", get: (d) => d.event.data.customer },
  { key: "threshold", header: "THRESHOLD", get: (d) => d.event.data.threshold, align: "right" },
  { key: "status", header: "STATUS", get: (d) => d.status },
  { key: "attempts", header: "ATTEMPTS", get: (d) => d.attempts, align: "right" },
  { key: "lastStatus", header: "LAST STATUS", get: (d) => d.lastStatus, align: "right" },
  { key: "lastError", header: "LAST ERROR", get: (d) => d.lastError },
  { key: "nextAttemptAt", header: "NEXT ATTEMPT", get: (d) => d.nextAttemptAt },
  { key: "deliveredAt", header: "DELIVERED AT", get: (d) => d.deliveredAt },
  { key: "createdAt", header: "CREATED AT", get: (d) => d.createdAt },
  { key: "event", header: "EVENT BODY", get: () => undefined, json: (d) => d.event }
]

const rotationFields: ReadonlyArray<Field<WebhookSecretRotation>> = [
  { key: "secret", header: "SECRET", get: (r) => r.secret },
  { key: "previousSecretExpiresAt", header: "OLD SECRET UNTIL", get: (r) => r.previousSecretExpiresAt }
]

const colors = () => streams().stdoutColors

/** The output and fields of a command, from `--output` and `--fields`, with its defaults. */
const choice = <O extends string, A>(
  input: { readonly output: Option.Option<O>; readonly fields: Option.Option<string> },
  fields: ReadonlyArray<Field<A>>,
  piped: O
) =>
  Effect.flatMap(chooseFields(input.fields, fieldKeys(fields)), (names) =>
    Effect.map(chooseOutput<O>(input.output, names, { terminal: "table" as O, piped }), (output) => ({
      output,
      fields: onlyFields(fields, names)
    }))
  )

/** A record whose `secret` (when there is one) is shown this once: the note says so on stderr. */
const writeWithSecret = <A extends { readonly secret?: string | undefined }>(
  chosen: { readonly output: RecordOutput; readonly fields: ReadonlyArray<Field<A>> },
  record: A
): void => {
  registerSecret(record.secret)
  writeRecord(chosen.output, chosen.fields, record, colors())
  if (record.secret !== undefined && chosen.fields.some((field) => field.key === "secret")) {
    errLine("note: the signing secret is shown this once and not again; store it now (rotate-secret makes a new one)")
  }
}

const endpointSubject = (id: string) => ({ subject: { kind: "webhook endpoint", name: id } })

export const webhooksSet = Effect.fn("webhooksSet")(function* (input: WebhooksSetInput) {
  const chosen = yield* choice<RecordOutput, WebhookEndpoint>(input, endpointFields, "json")
  const saved = yield* withOperator(input, endpointSubject(input.id), (client) =>
    client.webhooks.set(input.id, {
      url: input.url,
      events: input.events.length === 0 ? ["usage.threshold_crossed"] : [...new Set(input.events)],
      ...(input.resellers.length === 0 ? {} : { resellers: input.resellers }),
      enabled: !input.disabled
    })
  )
  writeWithSecret(chosen, saved)
})

export const webhooksList = Effect.fn("webhooksList")(function* (input: WebhooksListInput) {
  const chosen = yield* choice<ListOutput, WebhookEndpoint>(input, endpointFields, "ndjson")
  const all = yield* withOperator(input, {}, (client) => client.webhooks.list())
  const writer = listWriter(chosen.output, chosen.fields, colors())
  for (const endpoint of all) writer.write(endpoint)
  writer.end()
})

export const webhooksGet = Effect.fn("webhooksGet")(function* (input: WebhooksRecordInput) {
  const chosen = yield* choice<RecordOutput, WebhookEndpoint>(input, endpointFields, "json")
  const found = yield* withOperator(input, endpointSubject(input.id), (client) => client.webhooks.get(input.id))
  writeRecord(chosen.output, chosen.fields, found, colors())
})

export const webhooksDelete = Effect.fn("webhooksDelete")(function* (input: WebhooksRecordInput) {
  const chosen = yield* choice<RecordOutput, WebhookEndpoint>(input, endpointFields, "json")
  const removed = yield* withOperator(input, endpointSubject(input.id), (client) => client.webhooks.remove(input.id))
  if (chosen.output === "json") writeRecord("json", chosen.fields, removed, colors())
  else out(`deleted webhook endpoint "${removed.id}" (${removed.url})\n`)
})

export const webhooksRotateSecret = Effect.fn("webhooksRotateSecret")(function* (input: WebhooksRotateSecretInput) {
  const chosen = yield* choice<RecordOutput, WebhookSecretRotation>(input, rotationFields, "json")
  const rotated = yield* withOperator(input, endpointSubject(input.id), (client) =>
    client.webhooks.rotateSecret(input.id, Option.isSome(input.grace) ? { graceSeconds: input.grace.value } : {})
  )
  writeWithSecret(chosen, rotated)
})

export const webhooksDeliveries = Effect.fn("webhooksDeliveries")(function* (input: WebhooksDeliveriesInput) {
  const chosen = yield* choice<ListOutput, WebhookDelivery>(input, deliveryFields, "ndjson")
  const page = yield* withOperator(input, endpointSubject(input.id), (client) =>
    client.webhooks.deliveries(input.id, {
      limit: input.limit,
      ...(Option.isSome(input.cursor) ? { cursor: input.cursor.value } : {})
    })
  )
  const shown =
    chosen.output === "table" || chosen.output === "csv"
      ? chosen.fields.filter((f) => f.key !== "event")
      : chosen.fields
  const writer = listWriter(chosen.output, shown, colors())
  for (const delivery of page.items) writer.write(delivery)
  writer.end()
  if (page.nextCursor !== undefined && page.items.length > 0) errLine(`next cursor: ${page.nextCursor}`)
})

export const webhooksRedeliver = Effect.fn("webhooksRedeliver")(function* (input: WebhooksRedeliverInput) {
  const chosen = yield* choice<RecordOutput, WebhookDelivery>(input, deliveryFields, "json")
  // No subject: a 404 may be the endpoint's or the delivery's, and the service's message says which.
  const queued = yield* withOperator(input, {}, (client) => client.webhooks.redeliver(input.id, input.deliveryId))
  const shown = chosen.output === "table" ? chosen.fields.filter((f) => f.key !== "event") : chosen.fields
  writeRecord(chosen.output, shown, queued, colors())
})
