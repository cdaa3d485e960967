/**
 * What an operator call's failure is, as one of the SDK's error classes:
 * core's operator errors (decoded from the answer's body), effect's HTTP
 * client errors, a request that does not encode, a response that does not
 * decode, a timeout. Every text is scrubbed of the token.
 */
import {
  OperatorBatchTooLarge,
  OperatorInvalid,
  OperatorNotFound,
  OperatorUnauthorized,
  OperatorUnavailable
} from "@account-overview/core"
import { Cause, Schema } from "effect"
import { HttpClientError } from "effect/http"
import {
  AuthenticationError,
  type ClientError,
  ConnectionError,
  DecodeError,
  type ErrorDetails,
  InvalidRequestError,
  NotFoundError,
  ServerError,
  TimeoutError
} from "../../Errors.js"
import type { Scrub } from "../redact.js"
import { safeCause } from "../redact.js"
import { errorOfResponse } from "../status.js"

/** A response body that did not match the endpoint's schema (not a request that did not encode). */
export class ResponseDecodeFailure {
  constructor(readonly error: Schema.SchemaError) {}
}

/** The SDK's error for a failure of one attempt; `base` names the request and the attempt. */
export const operatorError = (failure: unknown, base: ErrorDetails, scrub: Scrub): ClientError => {
  const message = (m: unknown) => [scrub(String(m))]
  if (failure instanceof OperatorUnauthorized) {
    return new AuthenticationError({ ...base, status: 401, messages: message(failure.message) })
  }
  if (failure instanceof OperatorNotFound) {
    return new NotFoundError({ ...base, status: 404, messages: message(failure.message) })
  }
  if (failure instanceof OperatorInvalid) {
    return new InvalidRequestError({
      ...base,
      status: 400,
      messages: message(failure.message),
      problems: failure.problems.map((p) => ({ ...p, message: scrub(p.message) }))
    })
  }
  if (failure instanceof OperatorBatchTooLarge) {
    return new InvalidRequestError({ ...base, status: 413, messages: message(failure.message) })
  }
  if (failure instanceof OperatorUnavailable) {
    return new ServerError({ ...base, status: 503, messages: message(failure.message) })
  }
  if (failure instanceof ResponseDecodeFailure) {
    return new DecodeError({ ...base, reason: scrub(failure.error.message) })
  }
  if (Schema.isSchemaError(failure)) {
    return new InvalidRequestError({ ...base, messages: message(failure.message) })
  }
  if (Cause.isTimeoutError(failure)) return new TimeoutError({ ...base, messages: ["no complete answer in time"] })
  if (HttpClientError.isHttpClientError(failure)) {
    const reason = failure.reason
    switch (reason._tag) {
      case "StatusCodeError":
      case "DecodeError":
      case "EmptyBodyError": {
        const { status, headers } = reason.response
        const requestId = headers["x-request-id"]
        const withResponse = { ...base, status, ...(requestId === undefined ? {} : { requestId: scrub(requestId) }) }
        if (reason._tag !== "StatusCodeError" && status >= 200 && status < 300) {
          return new DecodeError({ ...withResponse, reason: scrub(reason.message) })
        }
        return errorOfResponse(status, withResponse, headers)
      }
      case "TransportError":
        return new ConnectionError({ ...base, cause: safeCause(reason.cause ?? reason, scrub) })
      default:
        return new InvalidRequestError({ ...base, messages: message(reason.message) })
    }
  }
  return new ConnectionError({ ...base, cause: safeCause(failure, scrub) })
}
