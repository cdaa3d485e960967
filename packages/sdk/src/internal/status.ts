/**
 * From an HTTP status that is not a success to the SDK's error class: the
 * one table of it, for the overview call and the operator client; and the
 * class of a 2xx answer that carries an error body.
 */
import { wireMessage } from "@account-overview/core"
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
import { parseRetryAfter, withRetryAfter } from "./retry.js"

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

/** `errorOfStatus` for an answer with these headers: its `Retry-After`, read now. */
export const errorOfResponse = (
  status: number,
  details: ErrorDetails,
  headers: Readonly<Record<string, string | undefined>>
): ClientError => errorOfStatus(status, details, parseRetryAfter(headers["retry-after"], Date.now()))

/**
 * A 2xx answer carrying an error body: older servers did this; its stable
 * message (one of `messages`, as received) tells the failure. `details`
 * carry what the error shows (the messages scrubbed).
 */
export const errorOfLegacyBody = (messages: ReadonlyArray<string>, details: ErrorDetails): ClientError => {
  if (messages.includes(wireMessage.AuthenticationFailed)) return new AuthenticationError(details)
  if (messages.includes(wireMessage.CustomerNotFound)) return new NotFoundError(details)
  return new InvalidRequestError(details)
}
