import { createHash, timingSafeEqual } from "node:crypto"
import { OperatorAuth, OperatorUnauthorized, OperatorUnavailable } from "@account-overview/core"
import { Effect, Layer, Option, Redacted } from "effect"
import { Settings } from "../Settings.js"

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest()

/**
 * Whether `candidate` equals the token; both are hashed first so that the
 * comparison takes the same time whatever the length or content.
 *
 * @since 0.1.0
 * @category auth
 */
export const tokenMatches = (expected: Buffer, candidate: string): boolean =>
  timingSafeEqual(expected, digest(candidate))

const disabled = new OperatorUnavailable({
  message: "the operator API is switched off: set ADMIN_TOKEN to enable it"
})

const unauthorized = new OperatorUnauthorized({ message: "missing or wrong bearer token" })

/**
 * The `OperatorAuth` middleware: every operator call needs
 * `Authorization: Bearer <ADMIN_TOKEN>` (the settings' `adminToken`; unset
 * switches the operator API off).
 *
 * @since 0.1.0
 * @category layers
 */
export const OperatorAuthLive = Layer.effect(
  OperatorAuth,
  Effect.gen(function* () {
    const { adminToken } = yield* Settings
    const expected = Option.map(adminToken, (t) => digest(Redacted.value(t)))
    return OperatorAuth.of({
      bearer: (httpEffect, { credential }) => {
        if (Option.isNone(expected)) return Effect.fail(disabled)
        return tokenMatches(expected.value, Redacted.value(credential)) ? httpEffect : Effect.fail(unauthorized)
      }
    })
  })
)
