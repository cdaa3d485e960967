/**
 * The operator client's Promise facade over its service: each method runs
 * the service's effect through the SDK's Promise edge; an abort or a closed
 * client rejects with `AbortedError` naming the method's request line (from
 * `OperatorApi`: the path parameters are the method's first arguments, in order).
 */
import type { Effect } from "effect"
import { AbortedError, type ClientError } from "../../Errors.js"
import type {
  OperatorCalls,
  OperatorClientService,
  Page,
  Promised,
  PromiseOperatorClient,
  WithResponses
} from "../../OperatorClient.js"
import { combineSignals, runAsPromise } from "../promise.js"
import { withListings } from "./listings.js"
import { operatorRoutes, paramNames, type RequestLine, requestLine, routeOf } from "./routes.js"

export const promiseOperatorClient = (
  service: OperatorClientService,
  clientSignal: AbortSignal | undefined
): PromiseOperatorClient => {
  let closed = false
  const wrap = <Args extends ReadonlyArray<unknown>, A>(
    group: string,
    name: string,
    f: (...args: Args) => Effect.Effect<A, ClientError>,
    signalOf: (args: Args) => AbortSignal | undefined = () => undefined
  ) => {
    const route = routeOf(group, name)
    const params = paramNames(route)
    const lineOf = (args: Args): RequestLine =>
      requestLine(route, Object.fromEntries(params.map((param, i) => [param, String(args[i])])))
    return (...args: Args): Promise<A> => {
      if (closed) return Promise.reject(new AbortedError({ ...lineOf(args), messages: ["the client is closed"] }))
      return runAsPromise(
        f(...args),
        combineSignals(clientSignal, signalOf(args)),
        () => new AbortedError(lineOf(args))
      )
    }
  }
  // The single-request calls, group by group and name by name as OperatorApi names them (the
  // streams beside them are not endpoints).
  const promised = (calls: OperatorCalls | WithResponses<OperatorCalls>): object =>
    Object.fromEntries(
      Object.entries(calls)
        .filter(([, methods]) => typeof methods === "object")
        .map(([group, methods]) => [
          group,
          Object.fromEntries(
            Object.entries(methods as Record<string, (...args: Array<unknown>) => Effect.Effect<unknown, ClientError>>)
              .filter(([name]) => operatorRoutes()[group]?.[name] !== undefined)
              .map(([name, f]) => [name, wrap(group, name, f)])
          )
        ])
    )
  const single: OperatorCalls = {
    packages: service.packages,
    resellers: service.resellers,
    customers: service.customers,
    voidEvents: service.voidEvents,
    billing: service.billing,
    webhooks: service.webhooks
  }
  const calls = promised(single) as Promised<OperatorCalls>
  // Page after page through the Promise calls, so that each page request is refused once the
  // client is closed and aborted with its signal, as any call is.
  async function* allPages<A>(first: string | undefined, page: (cursor: string | undefined) => Promise<Page<A>>) {
    let cursor = first
    for (;;) {
      const result = await page(cursor)
      yield* result.items
      cursor = result.nextCursor
      if (cursor === undefined || result.items.length === 0) return
    }
  }
  return {
    packages: calls.packages,
    ...withListings<PromiseOperatorClient>(calls, allPages),
    ingest: wrap("usage", "ingest", service.ingest, (args) => args[1]?.signal),
    voidEvents: wrap("usageVoids", "void", service.voidEvents),
    billing: calls.billing,
    webhooks: calls.webhooks,
    withResponse: promised(service.withResponse) as Promised<WithResponses<OperatorCalls>>,
    close: async () => {
      closed = true
    }
  }
}
