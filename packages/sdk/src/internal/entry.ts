/**
 * What an entry point of the SDK makes from its default transport (undici
 * on Node, fetch elsewhere): the Promise client's `createClient` and the
 * Effect service class with its layers. Nothing else differs between the
 * entries.
 */
import type { AccountOverviewClient, ClientOptions } from "../Client.js"
import type { Transport } from "../Transport.js"
import { makeCreateClient } from "./client.js"
import { type AccountOverviewsRemoteClass, makeAccountOverviewsRemote } from "./remote.js"

export interface Entry {
  readonly createClient: (options?: ClientOptions) => AccountOverviewClient
  readonly AccountOverviewsRemote: AccountOverviewsRemoteClass
}

export const makeEntry = (defaultTransport: () => Transport): Entry => ({
  createClient: makeCreateClient(defaultTransport),
  AccountOverviewsRemote: makeAccountOverviewsRemote(defaultTransport)
})
