import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { AccountOverviews, type OverviewOptions } from "../src/AccountOverviews.js"
import { RateLimited } from "../src/Errors.js"
import { seedOverview } from "./arbitraries.js"

// A service that checks keys: it admits the reseller the call speaks for before the key check.
const checking = Layer.succeed(
  AccountOverviews,
  AccountOverviews.of({
    overview: (credentials, _user, options?: OverviewOptions) =>
      Effect.andThen(options?.admit?.(credentials.apiUser) ?? Effect.void, Effect.succeed(seedOverview))
  })
)

describe("AccountOverviews", () => {
  it.layer(checking)((it) => {
    it.effect("is provided by a layer and called with or without options", () =>
      Effect.gen(function* () {
        const overviews = yield* AccountOverviews
        const credentials = { apiUser: "r", apiKey: Redacted.make("k") }
        assert.deepStrictEqual(yield* overviews.overview(credentials, "c"), seedOverview)
        const admitted: Array<string | undefined> = []
        const admit = (apiUser: string | undefined) => Effect.sync(() => void admitted.push(apiUser))
        yield* overviews.overview(credentials, "c", { admit })
        assert.deepStrictEqual(admitted, ["r"])
        const refused = yield* Effect.flip(
          overviews.overview(credentials, "c", { admit: () => Effect.fail(new RateLimited({ retryAfterSeconds: 3 })) })
        )
        assert.deepStrictEqual(refused, new RateLimited({ retryAfterSeconds: 3 }))
      })
    )
  })
})
