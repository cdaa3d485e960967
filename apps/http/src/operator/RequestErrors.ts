import { OperatorInvalid, OperatorRequestErrors } from "@account-overview/core"
import { Effect, SchemaIssue } from "effect"
import { HttpApiMiddleware } from "effect/http-api"

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

const slotNames = { Params: "path", Query: "query", Headers: "header", Payload: "body" } as const

/**
 * The `OperatorRequestErrors` middleware: a path parameter, query parameter,
 * header or body that does not decode answers `OperatorInvalid` (400) naming
 * each bad field, instead of an empty 400.
 *
 * @since 0.1.0
 * @category layers
 */
export const OperatorRequestErrorsLive = HttpApiMiddleware.layerSchemaErrorTransform(OperatorRequestErrors, (error) => {
  if (error.kind === "Body" || error.kind === "ResponseHeaders") return Effect.fail(error)
  const slot = slotNames[error.kind]
  const problems = formatIssues(error.cause.issue).issues.map((issue) => ({
    index: 0,
    field: (issue.path ?? []).map(String).join("."),
    message: issue.message
  }))
  const message = `invalid ${slot}: ${problems.map((p) => (p.field === "" ? p.message : `${p.field}: ${p.message}`)).join("; ")}`
  return Effect.fail(new OperatorInvalid({ message, problems }))
})
