/**
 * The request line of each operator call, read from core's `OperatorApi`
 * declaration (the one place its methods and paths are written): what the
 * operator client's errors name.
 */
import { OperatorApi } from "@account-overview/core"
import { HttpApi } from "effect/http-api"

/** An endpoint's method and path template (`/v1/customers/:user`). */
export interface Route {
  readonly method: string
  readonly path: string
}

/** A request's method and URL path, its parameters percent-encoded. */
export interface RequestLine {
  readonly method: string
  readonly path: string
}

/** The name of each group of the operator API, and of each endpoint in it. */
export type RouteTable = Readonly<Record<string, Readonly<Record<string, Route>>>>

let table: RouteTable | undefined

/** Every endpoint of `OperatorApi` by group and name, read once. */
export const operatorRoutes = (): RouteTable => {
  if (table === undefined) {
    const routes: Record<string, Record<string, Route>> = {}
    HttpApi.reflect(OperatorApi, {
      onGroup: ({ group }) => {
        routes[group.identifier] = {}
      },
      onEndpoint: ({ group, endpoint }) => {
        routes[group.identifier]![endpoint.identifier] = { method: endpoint.method, path: endpoint.path }
      }
    })
    table = routes
  }
  return table
}

/** The route of `group.name`; the API declares every name the client uses. */
export const routeOf = (group: string, name: string): Route => {
  const route = operatorRoutes()[group]?.[name]
  if (route === undefined) throw new Error(`OperatorApi declares no endpoint ${group}.${name}`)
  return route
}

/** A route's request line for the given path parameters (`{ user: "a@b" }` gives `/v1/customers/a%40b`). */
export const requestLine = (route: Route, params?: Readonly<Record<string, string>> | undefined): RequestLine => ({
  method: route.method,
  path: route.path.replace(/:(\w+)/g, (whole, name: string) => {
    const value = params?.[name]
    return value === undefined ? whole : encodeURIComponent(value)
  })
})

/** The names of a route's path parameters, in order. */
export const paramNames = (route: Route): ReadonlyArray<string> =>
  Array.from(route.path.matchAll(/:(\w+)/g), (match) => match[1]!)
