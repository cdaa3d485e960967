import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type CliFailure, usageError } from "./CliFailure.js"
import { streams } from "./Io.js"

/**
 * `--fields a,b` and `--output` together: which fields of each JSON object
 * are written, in which order, and which output a command writes. Fields
 * apply to `json` and `ndjson`; without `--output`, `--fields` takes the
 * output a pipe gets (so a terminal gets JSON too).
 */

const jsonOutputs: ReadonlySet<string> = new Set(["json", "ndjson"])

/** The names `--fields` gives, in order, each once; a usage error for an empty list or an unknown name. */
export const chooseFields = (
  flag: Option.Option<string>,
  available: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<string> | undefined, CliFailure> => {
  if (Option.isNone(flag)) return Effect.succeed(undefined)
  const names = [
    ...new Set(
      flag.value
        .split(",")
        .map((name) => name.trim())
        .filter((name) => name !== "")
    )
  ]
  if (names.length === 0) return Effect.fail(usageError("--fields needs at least one field name"))
  const unknown = names.find((name) => !available.includes(name))
  if (unknown !== undefined) {
    return Effect.fail(usageError(`unknown field "${unknown}" for --fields; the fields: ${available.join(", ")}`))
  }
  return Effect.succeed(names)
}

/**
 * The output to write: `--output` when given (it must be json or ndjson
 * with `--fields`), else `piped` when stdout is not a terminal or fields
 * are chosen, else `terminal`.
 */
export const chooseOutput = <O extends string>(
  output: Option.Option<O>,
  fields: ReadonlyArray<string> | undefined,
  defaults: { readonly terminal: O; readonly piped: O }
): Effect.Effect<O, CliFailure> => {
  if (Option.isSome(output)) {
    if (fields !== undefined && !jsonOutputs.has(output.value)) {
      return Effect.fail(usageError(`--fields goes with --output json or ndjson, not ${output.value}`))
    }
    return Effect.succeed(output.value)
  }
  return Effect.succeed(fields === undefined && streams().stdoutIsTerminal ? defaults.terminal : defaults.piped)
}

/** `object` with only `fields` (those it has), in their order; all of it without fields. */
export const pick = <V>(object: Readonly<Record<string, V>>, fields: ReadonlyArray<string> | undefined) => {
  if (fields === undefined) return object
  const picked: Record<string, V> = {}
  for (const name of fields) if (name in object) picked[name] = object[name]!
  return picked
}
