/**
 * The operator client's Promise facade over its service: each method runs
 * the service's effect through the SDK's Promise edge; an abort or a closed
 * client rejects with `AbortedError` naming the method's request line (from
 * `OperatorApi`: a path parameter is the method's first argument).
 */
import type { Effect } from "effect"
import { AbortedError, type ClientError } from "../../Errors.js"
import type { OperatorClientService, PromiseOperatorClient } from "../../OperatorClient.js"
import { combineSignals, runAsPromise } from "../promise.js"
import { paramNames, type RequestLine, requestLine, routeOf } from "./routes.js"

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
    const [param] = paramNames(route)
    const lineOf = (args: Args): RequestLine =>
      requestLine(route, param === undefined ? undefined : { [param]: String(args[0]) })
    return (...args: Args): Promise<A> => {
      if (closed) return Promise.reject(new AbortedError({ ...lineOf(args), messages: ["the client is closed"] }))
      return runAsPromise(
        f(...args),
        combineSignals(clientSignal, signalOf(args)),
        () => new AbortedError(lineOf(args))
      )
    }
  }
  return {
    packages: {
      set: wrap("packages", "set", service.packages.set),
      list: wrap("packages", "list", service.packages.list)
    },
    resellers: {
      set: wrap("resellers", "set", service.resellers.set),
      rotateKey: wrap("resellers", "rotateKey", service.resellers.rotateKey),
      overviews: wrap("resellers", "overviews", service.resellers.overviews)
    },
    customers: {
      set: wrap("customers", "set", service.customers.set),
      get: wrap("customers", "get", service.customers.get),
      list: wrap("customers", "list", service.customers.list),
      overview: wrap("customers", "overview", service.customers.overview)
    },
    ingest: wrap("usage", "ingest", service.ingest, (args) => args[1]?.signal),
    voidEvents: wrap("usageVoids", "void", service.voidEvents),
    billing: {
      cycles: wrap("billing", "cycles", service.billing.cycles),
      changePackage: wrap("billing", "changePackage", service.billing.changePackage),
      cancelPackageChange: wrap("billing", "cancelPackageChange", service.billing.cancelPackageChange),
      resellerCycles: wrap("billing", "resellerCycles", service.billing.resellerCycles),
      resellerCyclesCsv: wrap("billing", "resellerCyclesCsv", service.billing.resellerCyclesCsv)
    },
    close: async () => {
      closed = true
    }
  }
}
