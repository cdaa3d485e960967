/**
 * The operator API's route templates (`/v1/customers/:user`), read from
 * core's `OperatorApi` declaration, and the template a request path falls
 * under: the metrics label of an operator call, a bounded set whatever the
 * paths the clients send.
 *
 * @since 0.2.0
 */
import { OperatorApi } from "@account-overview/core"
import { HttpApi } from "effect/http-api"

interface Template {
  readonly path: string
  readonly segments: ReadonlyArray<string | undefined>
}

const compile = (): ReadonlyArray<Template> => {
  const paths = new Set<string>()
  HttpApi.reflect(OperatorApi, {
    onGroup: () => {},
    onEndpoint: ({ endpoint }) => {
      paths.add(endpoint.path)
    }
  })
  const templates = Array.from(paths, (path) => ({
    path,
    segments: path
      .split("/")
      .slice(1)
      .map((segment) => (segment.startsWith(":") ? undefined : segment))
  }))
  // A literal segment wins over a parameter in the same place.
  const literals = (template: Template) => template.segments.filter((s) => s !== undefined).length
  return templates.sort((a, b) => literals(b) - literals(a))
}

let compiled: ReadonlyArray<Template> | undefined

/**
 * Every path template of the operator API, as declared (`/v1/packages/:name`).
 *
 * @since 0.2.0
 * @category routes
 */
export const operatorRouteTemplates = (): ReadonlyArray<string> => {
  compiled ??= compile()
  return compiled.map((template) => template.path)
}

/**
 * The template a path falls under (`/v1/customers/a%40b/overview` gives
 * `/v1/customers/:user/overview`), whatever the method; `undefined` for a
 * path the operator API does not declare.
 *
 * @since 0.2.0
 * @category routes
 */
export const operatorRouteTemplateOf = (path: string): string | undefined => {
  compiled ??= compile()
  const segments = path.split("/")
  if (segments[0] !== "") return undefined
  const count = segments.length - 1
  for (const template of compiled) {
    if (template.segments.length !== count) continue
    let matches = true
    for (let i = 0; i < count; i++) {
      const literal = template.segments[i]
      const segment = segments[i + 1]!
      if (literal === undefined ? segment === "" : literal !== segment) {
        matches = false
        break
      }
    }
    if (matches) return template.path
  }
  return undefined
}
