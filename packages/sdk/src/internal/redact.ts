/**
 * Keeps secrets out of errors: every text that may have seen a secret (a
 * transport's error message, an error body, a response header) is scrubbed
 * of it, in every spelling a URL, a form body, JSON or HTML may give it; a
 * text that still holds it in a spelling not listed (a partial decode, mixed
 * encodings) is replaced whole.
 */

const placeholder = "<redacted>"

export type Scrub = (text: string) => string

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, "0")

const percentAll = (secret: string): string =>
  [...new TextEncoder().encode(secret)].map((b) => `%${hex(b, 2)}`).join("")

const html = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")

const jsonEscapeAll = (s: string): string => {
  let out = ""
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    out += /[A-Za-z0-9]/.test(c) ? c : `\\u${hex(s.charCodeAt(i), 4)}`
  }
  return out
}

/**
 * The spellings a server may echo a secret in: as is, percent-encoded (upper
 * or lower hex, `+` for space, every byte or only the reserved ones), as a
 * JSON string's content (with `\/` and `\uXXXX` escapes), as HTML text
 * (`&amp;`, `&#39;`, ...), and each of those HTML-escaped once more.
 */
const spellings = (secret: string): Array<string> => {
  const forms = new Set<string>()
  const add = (form: string) => {
    forms.add(form)
    forms.add(form.toLowerCase() === form ? form : form.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()))
    forms.add(form.replace(/\\u([0-9A-F]{4})/g, (_m, h: string) => `\\u${h.toLowerCase()}`))
  }
  const json = JSON.stringify(secret).slice(1, -1)
  const base = [
    secret,
    encodeURIComponent(secret),
    encodeURI(secret),
    new URLSearchParams({ k: secret }).toString().slice(2),
    encodeURIComponent(secret).replace(/%20/g, "+"),
    percentAll(secret),
    json,
    json.replace(/\//g, "\\/"),
    jsonEscapeAll(secret)
  ]
  for (const form of base) {
    add(form)
    add(html(form))
    add(form.replace(/&/g, "&amp;"))
  }
  return [...forms].filter((s) => s.length > 0).sort((a, b) => b.length - a.length)
}

const namedEntities: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }

const decodeHtml = (s: string): string =>
  s.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1))
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole
    }
    return namedEntities[name.toLowerCase()] ?? whole
  })

const jsonSimple: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t", b: "\b", f: "\f" }

const decodeJsonEscapes = (s: string): string =>
  s.replace(/\\(u[0-9a-fA-F]{4}|[\\/"nrtbf])/g, (_whole, e: string) =>
    e[0] === "u" ? String.fromCharCode(Number.parseInt(e.slice(1), 16)) : (jsonSimple[e] ?? e)
  )

const decodePercent = (s: string): string =>
  s.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run)
    } catch {
      return run
    }
  })

/**
 * Every reading of `text` a partial or repeated decoding may give: HTML
 * entities, JSON escapes and percent-encoding undone (in any order, up to
 * three rounds), with and without `+` read as a space.
 */
const readings = (text: string): Array<string> => {
  const out = new Set([text])
  let frontier = [text]
  for (let round = 0; round < 3; round++) {
    const next: Array<string> = []
    for (const t of frontier) {
      for (const decoded of [
        decodeHtml(t),
        decodeJsonEscapes(t),
        decodePercent(t),
        decodePercent(t.replace(/\+/g, " "))
      ]) {
        if (!out.has(decoded)) {
          out.add(decoded)
          next.push(decoded)
        }
      }
    }
    frontier = next
  }
  return [...out]
}

export const makeScrub = (secrets: ReadonlyArray<string>): Scrub => {
  const kept = secrets.filter((s) => s.length > 0)
  const forms = kept.flatMap(spellings)
  if (forms.length === 0) return (text) => text
  return (text) => {
    let out = text
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(placeholder)
    // A spelling not listed above (a mix of encodings, a partial decode):
    // when any reading of what is left still holds a secret, none of it is kept.
    if (readings(out).some((reading) => kept.some((secret) => reading.includes(secret)))) return placeholder
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
