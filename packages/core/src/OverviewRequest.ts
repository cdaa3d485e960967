/**
 * The overview request: `api_user`, `api_key`, `task=overview`, `user` on the
 * wire; camelCase inside, the key always `Redacted` so it never prints.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A reseller's credentials. The key is `Redacted`: logging or printing it
 * shows `<redacted>`.
 *
 * @since 0.1.0
 * @category models
 */
export const Credentials = Schema.Struct({
  apiUser: Schema.NonEmptyString,
  apiKey: Schema.Redacted(Schema.NonEmptyString)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Credentials extends Schema.Schema.Type<typeof Credentials> {}

/**
 * A decoded overview request.
 *
 * @since 0.1.0
 * @category models
 */
export const OverviewRequest = Schema.Struct({
  apiUser: Schema.NonEmptyString,
  apiKey: Schema.Redacted(Schema.NonEmptyString),
  task: Schema.Literal("overview"),
  user: Schema.NonEmptyString
})

/**
 * @since 0.1.0
 * @category models
 */
export interface OverviewRequest extends Schema.Schema.Type<typeof OverviewRequest> {}

/**
 * The wire names of the request parameters.
 *
 * @since 0.1.0
 * @category wire
 */
export const requestParameters = {
  apiUser: "api_user",
  apiKey: "api_key",
  task: "task",
  user: "user"
} as const
