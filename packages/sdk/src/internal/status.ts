/**
 * From an HTTP status that is not a success to the SDK's error class: the
 * one table of it, for the overview call and the operator client.
 */
import {
  AuthenticationError,
  type ClientError,
  type ErrorDetails,
  InvalidRequestError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TimeoutError
} from "../Errors.js"
import { withRetryAfter } from "./retry.js"

/** The error of a non-2xx answer; `retryAfterMs` is its `Retry-After`, kept for the retry loop. */
export const errorOfStatus = (status: number, details: ErrorDetails, retryAfterMs: number | undefined): ClientError => {
  switch (status) {
    case 401:
    case 403:
      return new AuthenticationError(details)
    case 404:
      return new NotFoundError(details)
    case 408:
      return new TimeoutError(details)
    case 429:
      return new RateLimitError({ ...details, retryAfterMs })
  }
  if (status >= 500) return withRetryAfter(new ServerError(details), retryAfterMs)
  if (status >= 400) return new InvalidRequestError(details)
  return new ServerError({ ...details, messages: [`unexpected status ${status}`, ...(details.messages ?? [])] })
}
