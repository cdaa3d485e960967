/**
 * The webhooks group of the operator API: endpoints (their URL checked
 * against `WEBHOOK_ALLOWED_HOSTS`), secret rotation, the delivery log and
 * redelivery, over the store's `LedgerWebhooks`.
 *
 * @since 0.2.0
 */
import {
  defaultSecretGraceSeconds,
  OperatorApi,
  OperatorInvalid,
  OperatorNotFound,
  OperatorUnavailable
} from "@account-overview/core"
import { LedgerWebhooks } from "@account-overview/store"
import { Effect, Option } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Settings } from "../Settings.js"
import { WebhookDelivery } from "../WebhookDelivery.js"
import { webhookUrlProblem } from "../WebhookTargets.js"
import { defaultLimit } from "./Customers.js"
import { orUnavailable } from "./Errors.js"

const noWebhooks = new OperatorUnavailable({ message: "this store keeps no webhooks" })

const noEndpoint = (id: string) => new OperatorNotFound({ message: `no webhook endpoint named ${JSON.stringify(id)}` })

const found =
  (what: () => OperatorNotFound) =>
  <A, E, R>(self: Effect.Effect<Option.Option<A>, E, R>): Effect.Effect<A, E | OperatorNotFound, R> =>
    Effect.flatMap(self, Option.match({ onNone: () => Effect.fail(what()), onSome: Effect.succeed }))

/**
 * `PUT|GET|DELETE /v1/webhooks/{id}`, `GET /v1/webhooks`,
 * `POST /v1/webhooks/{id}/rotate-secret`, `GET /v1/webhooks/{id}/deliveries`,
 * `POST /v1/webhooks/{id}/deliveries/{deliveryId}/redeliver`.
 *
 * @since 0.2.0
 * @category handlers
 */
export const WebhooksHandlers = HttpApiBuilder.group(
  OperatorApi,
  "webhooks",
  Effect.fnUntraced(function* (handlers) {
    const settings = yield* Settings
    const store = Option.getOrUndefined(yield* Effect.serviceOption(LedgerWebhooks))
    const worker = Option.getOrUndefined(yield* Effect.serviceOption(WebhookDelivery))
    const withStore = <A, E>(
      use: (webhooks: LedgerWebhooks["Service"]) => Effect.Effect<A, E>
    ): Effect.Effect<A, E | OperatorUnavailable> => (store === undefined ? Effect.fail(noWebhooks) : use(store))
    return handlers.handleAll({
      set: ({ params, payload }) => {
        const problem = webhookUrlProblem(settings.webhookAllowedHosts, payload.url)
        if (problem !== undefined) {
          return Effect.fail(
            new OperatorInvalid({
              message: `webhook endpoint ${JSON.stringify(params.id)} not stored: url: ${problem}`,
              problems: [{ index: 0, field: "url", message: problem }]
            })
          )
        }
        return withStore((webhooks) =>
          webhooks.setEndpoint(params.id, payload).pipe(
            Effect.map(({ endpoint }) => endpoint),
            orUnavailable
          )
        )
      },
      list: () => withStore((webhooks) => webhooks.listEndpoints().pipe(orUnavailable)),
      get: ({ params }) =>
        withStore((webhooks) =>
          webhooks.getEndpoint(params.id).pipe(
            orUnavailable,
            found(() => noEndpoint(params.id))
          )
        ),
      remove: ({ params }) =>
        withStore((webhooks) =>
          webhooks.removeEndpoint(params.id).pipe(
            orUnavailable,
            found(() => noEndpoint(params.id))
          )
        ),
      rotateSecret: ({ params, payload }) =>
        withStore((webhooks) =>
          webhooks.rotateSecret(params.id, payload.graceSeconds ?? defaultSecretGraceSeconds).pipe(
            orUnavailable,
            found(() => noEndpoint(params.id))
          )
        ),
      deliveries: ({ params, query }) =>
        withStore((webhooks) =>
          webhooks.deliveries(params.id, { limit: query.limit ?? defaultLimit, cursor: query.cursor }).pipe(
            orUnavailable,
            found(() => noEndpoint(params.id))
          )
        ),
      redeliver: ({ params }) =>
        withStore((webhooks) =>
          webhooks.redeliver(params.id, params.deliveryId).pipe(
            orUnavailable,
            found(
              () =>
                new OperatorNotFound({
                  message: `no delivery ${JSON.stringify(params.deliveryId)} of webhook endpoint ${JSON.stringify(params.id)}`
                })
            ),
            Effect.tap(() => worker?.wake ?? Effect.void)
          )
        )
    })
  })
)
