/**
 * The wire routes in one table: the four paths of the Account Overview call
 * and the format and dialect each answers in. The server routes by it, the
 * SDK builds its request paths from it.
 *
 * @since 0.2.0
 */
import type { Dialect, Format } from "./Overview.js"

/**
 * One wire path with the format and dialect it answers in.
 *
 * @since 0.2.0
 * @category models
 */
export interface WireRoute {
  readonly path: string
  readonly format: Format
  readonly dialect: Dialect
}

/**
 * The path prefix of each dialect's call, before its format extension:
 * `/api/distributor.account.` (v1) and `/apiv2/reseller.account.` (v2).
 *
 * @since 0.2.0
 * @category routes
 */
export const wireBases: { readonly [D in Dialect]: string } = {
  v1: "/api/distributor.account.",
  v2: "/apiv2/reseller.account."
}

/**
 * The four wire routes: v1 and v2, each in JSON and XML.
 *
 * @since 0.2.0
 * @category routes
 */
export const wireRoutes: ReadonlyArray<WireRoute> = (["v1", "v2"] as const).flatMap((dialect) =>
  (["json", "xml"] as const).map((format) => ({ path: `${wireBases[dialect]}${format}`, format, dialect }))
)

const byPath: ReadonlyMap<string, WireRoute> = new Map(wireRoutes.map((route) => [route.path, route]))

/**
 * The wire route of a request path, or `undefined` when it is none of the four.
 *
 * @since 0.2.0
 * @category routes
 */
export const wireRouteOf = (path: string): WireRoute | undefined => byPath.get(path)

/**
 * The request path of a format and dialect, for example
 * `wirePath("json", "v1") === "/api/distributor.account.json"`.
 *
 * @since 0.2.0
 * @category routes
 */
export const wirePath = (format: Format, dialect: Dialect): string => `${wireBases[dialect]}${format}`

/**
 * The dialect whose call a path is under, whatever follows the call's name
 * (`/api/distributor.account.csv` is under v1), or `undefined`.
 *
 * @since 0.2.0
 * @category routes
 */
export const wireBaseOf = (path: string): Dialect | undefined =>
  path.startsWith(wireBases.v1) ? "v1" : path.startsWith(wireBases.v2) ? "v2" : undefined
