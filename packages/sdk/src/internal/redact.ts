/**
 * Keeps secrets out of errors: every text that may have seen a secret (a
 * transport's error message, an error body) is scrubbed of it, in all the
 * spellings a URL or a form body may give it.
 */

const placeholder = "<redacted>"

export type Scrub = (text: string) => string

const spellings = (secret: string): Array<string> => {
  const forms = new Set([secret, encodeURIComponent(secret), new URLSearchParams({ k: secret }).toString().slice(2)])
  return [...forms].filter((s) => s.length > 0).sort((a, b) => b.length - a.length)
}

export const makeScrub = (secrets: ReadonlyArray<string>): Scrub => {
  const forms = secrets.flatMap(spellings)
  if (forms.length === 0) return (text) => text
  return (text) => {
    let out = text
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(placeholder)
    return out
  }
}

/**
 * A copy of a thrown value that is safe to keep as a `cause`: its name, code
 * and message (with the messages of its causes), scrubbed, and no stack
 * beyond its first line.
 */
export const safeCause = (thrown: unknown, scrub: Scrub): Error => {
  const parts: Array<string> = []
  let current: unknown = thrown
  let name = "Error"
  let code: string | undefined
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      if (depth === 0) name = current.name
      const c = (current as { code?: unknown }).code
      if (code === undefined && typeof c === "string") code = c
      if (current.message) parts.push(current.message)
      current = current.cause
    } else {
      parts.push(typeof current === "string" ? current : Object.prototype.toString.call(current))
      break
    }
  }
  const message = scrub(parts.join(": "))
  const error = new Error(message)
  error.name = name
  if (code !== undefined) Object.defineProperty(error, "code", { value: code, enumerable: true })
  error.stack = `${name}: ${message}`
  return error
}
