/**
 * A small, strict XML 1.0 reader for the wire's documents: elements, character
 * data, the five predefined entities and character references, CDATA,
 * comments, processing instructions and attributes (checked, then ignored).
 * No DTD: a DOCTYPE or any other markup declaration is refused, so no entity
 * is ever declared or expanded. Non-recursive, with a depth limit.
 *
 * Character data of an element is trimmed of the literal whitespace at its
 * edges; whitespace written as a character reference or inside CDATA is data
 * and kept. Literal CR and CR LF become LF, as XML requires.
 */
import { isXmlChar } from "./text.js"

/** One element: its name, child elements and (trimmed) character data. */
export interface XmlElement {
  readonly name: string
  readonly children: Array<XmlElement>
  readonly text: string
}

/** Why a document is not well-formed (or uses what the reader refuses), and where. */
export class XmlSyntaxError {
  constructor(
    readonly reason: string,
    readonly offset: number
  ) {}
}

/** The deepest element nesting accepted. */
export const maxDepth = 32

const LT = 0x3c
const GT = 0x3e
const AMP = 0x26
const SLASH = 0x2f
const BANG = 0x21
const QUESTION = 0x3f
const CR = 0x0d
const LF = 0x0a
const EQ = 0x3d
const QUOT = 0x22
const APOS = 0x27
const RBRACKET = 0x5d

const isWs = (c: number): boolean => c === 0x20 || c === LF || c === 0x09 || c === CR

const isNameStart = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) ||
  (c >= 0x41 && c <= 0x5a) ||
  c === 0x5f ||
  c === 0x3a ||
  (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && c < 0xfffe && !(c >= 0xd800 && c <= 0xdfff) && c !== 0x37e) ||
  (c >= 0xd800 && c <= 0xdbff)

const isNameChar = (c: number): boolean =>
  isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0xb7 || (c >= 0xdc00 && c <= 0xdfff)

const fail = (reason: string, offset: number): never => {
  throw new XmlSyntaxError(reason, offset)
}

const declaration =
  /<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"([A-Za-z][A-Za-z0-9._-]*)"|'([A-Za-z][A-Za-z0-9._-]*)'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>/y

/**
 * The encoding named by a document's XML declaration, read from its first
 * characters; `undefined` when there is no declaration or it names none.
 */
export const declaredEncoding = (head: string): string | undefined => {
  declaration.lastIndex = head.charCodeAt(0) === 0xfeff ? 1 : 0
  const m = declaration.exec(head)
  return m === null ? undefined : (m[1] ?? m[2])
}

interface Frame {
  readonly name: string
  readonly children: Array<XmlElement>
  data: string
  first: number
  last: number
}

const readName = (s: string, i: number): number => {
  if (!isNameStart(s.charCodeAt(i))) fail(i >= s.length ? "unexpected end of document" : "invalid name", i)
  let j = i + 1
  while (j < s.length && isNameChar(s.charCodeAt(j))) j++
  return j
}

const skipWs = (s: string, i: number): number => {
  while (i < s.length && isWs(s.charCodeAt(i))) i++
  return i
}

const predefined: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" }

/** Decodes the reference at `i` (`&...;`); returns the text and the index after `;`. */
const readReference = (s: string, i: number): readonly [string, number] => {
  const end = s.indexOf(";", i + 1)
  if (end === -1 || end - i > 32) {
    fail(end === -1 && s.length - i < 32 ? "unexpected end of document in a reference" : "malformed reference", i)
  }
  const body = s.slice(i + 1, end)
  if (body.charCodeAt(0) === 0x23) {
    const hex = body.charCodeAt(1) === 0x78
    const digits = body.slice(hex ? 2 : 1)
    if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) fail(`malformed character reference &${body};`, i)
    const cp = Number.parseInt(digits, hex ? 16 : 10)
    if (!isXmlChar(cp)) fail(`character reference &${body}; names a character XML does not allow`, i)
    return [String.fromCodePoint(cp), end + 1]
  }
  const value = Object.hasOwn(predefined, body) ? predefined[body] : undefined
  if (value === undefined) {
    fail(
      /^[A-Za-z_:][A-Za-z0-9._:-]*$/.test(body)
        ? `undefined entity &${body}; (only &lt; &gt; &amp; &quot; &apos; and character references)`
        : "malformed reference",
      i
    )
  }
  return [value!, end + 1]
}

const checkChar = (s: string, i: number, c: number): number => {
  if (c < 0x20) {
    if (c !== 0x09 && c !== LF && c !== CR) fail(`character U+${hex4(c)} is not allowed in XML`, i)
    return i + 1
  }
  if (c >= 0xd800 && c <= 0xdfff) {
    const d = s.charCodeAt(i + 1)
    if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) fail("lone surrogate", i)
    return i + 2
  }
  if (c === 0xfffe || c === 0xffff) fail(`character U+${hex4(c)} is not allowed in XML`, i)
  return i + 1
}

const hex4 = (c: number): string => c.toString(16).toUpperCase().padStart(4, "0")

/** Skips to after `terminator`, checking the characters on the way; fails with `what` at the end of input. */
const skipPast = (s: string, i: number, terminator: string, what: string): number => {
  const end = s.indexOf(terminator, i)
  if (end === -1) fail(`unexpected end of document in ${what}`, s.length)
  for (let j = i; j < end; ) {
    const c = s.charCodeAt(j)
    j = c >= 0x20 && c < 0xd800 ? j + 1 : checkChar(s, j, c)
  }
  return end + terminator.length
}

const readComment = (s: string, i: number): number => {
  const end = skipPast(s, i + 4, "--", "a comment")
  if (s.charCodeAt(end) !== GT)
    fail(end >= s.length ? "unexpected end of document in a comment" : "-- inside a comment", end)
  return end + 1
}

const readPi = (s: string, i: number): number => {
  const nameEnd = readName(s, i + 2)
  const target = s.slice(i + 2, nameEnd)
  if (target.toLowerCase() === "xml") fail("XML declaration not at the start of the document", i)
  if (s.charCodeAt(nameEnd) === QUESTION && s.charCodeAt(nameEnd + 1) === GT) return nameEnd + 2
  if (!isWs(s.charCodeAt(nameEnd)))
    fail(nameEnd >= s.length ? "unexpected end of document" : "malformed processing instruction", nameEnd)
  return skipPast(s, nameEnd, "?>", "a processing instruction")
}

const markupDeclaration = (s: string, i: number): never => {
  const rest = s.slice(i, i + 9)
  if (rest.length < 9 && ("<!--".startsWith(rest) || "<![CDATA[".startsWith(rest))) {
    fail("unexpected end of document", s.length)
  }
  return fail(
    s.startsWith("<!DOCTYPE", i)
      ? "DOCTYPE is not allowed (no DTD, no entity declarations)"
      : "markup declarations are not allowed (no DTD, no entity declarations)",
    i
  )
}

/** Skips whitespace, comments and processing instructions outside the root element. */
const skipMisc = (s: string, i: number): number => {
  for (;;) {
    i = skipWs(s, i)
    if (s.charCodeAt(i) !== LT) return i
    const n = s.charCodeAt(i + 1)
    if (n === QUESTION) i = readPi(s, i)
    else if (n === BANG) {
      if (s.startsWith("<!--", i)) i = readComment(s, i)
      else markupDeclaration(s, i)
    } else return i
  }
}

/** Reads a start tag's attributes (checked, not kept); returns the index of `>` or `/>`. */
const readAttributes = (s: string, i: number): number => {
  let seen: Set<string> | undefined
  for (;;) {
    const afterWs = skipWs(s, i)
    const c = s.charCodeAt(afterWs)
    if (c === GT || c === SLASH) return afterWs
    if (afterWs >= s.length) fail("unexpected end of document in a start tag", afterWs)
    if (afterWs === i) fail("malformed start tag", i)
    const nameEnd = readName(s, afterWs)
    const name = s.slice(afterWs, nameEnd)
    seen ??= new Set()
    if (seen.has(name)) fail(`attribute ${name} repeated`, afterWs)
    seen.add(name)
    let j = skipWs(s, nameEnd)
    if (s.charCodeAt(j) !== EQ)
      fail(j >= s.length ? "unexpected end of document in a start tag" : "malformed attribute", j)
    j = skipWs(s, j + 1)
    const quote = s.charCodeAt(j)
    if (quote !== QUOT && quote !== APOS)
      fail(j >= s.length ? "unexpected end of document in a start tag" : "malformed attribute", j)
    const close = s.indexOf(quote === QUOT ? '"' : "'", j + 1)
    if (close === -1) fail("unexpected end of document in an attribute value", s.length)
    for (let k = j + 1; k < close; ) {
      const ch = s.charCodeAt(k)
      if (ch === LT) fail("< in an attribute value", k)
      if (ch === AMP) k = readReference(s, k)[1]
      else k = ch >= 0x20 && ch < 0xd800 ? k + 1 : checkChar(s, k, ch)
    }
    i = close + 1
  }
}

const appendLiteral = (frame: Frame, s: string, from: number, to: number): void => {
  let a = from
  while (a < to && isWs(s.charCodeAt(a))) a++
  if (a < to) {
    let b = to
    while (isWs(s.charCodeAt(b - 1))) b--
    const base = frame.data.length
    if (frame.first < 0) frame.first = base + (a - from)
    frame.last = base + (b - from)
  }
  frame.data += from === 0 && to === s.length ? s : s.slice(from, to)
}

const appendData = (frame: Frame, data: string): void => {
  if (data.length === 0) return
  if (frame.first < 0) frame.first = frame.data.length
  frame.data += data
  frame.last = frame.data.length
}

/** Reads character data from `i` up to the next `<`; returns that index. */
const readText = (s: string, i: number, frame: Frame): number => {
  let run = i
  let j = i
  const n = s.length
  while (j < n) {
    const c = s.charCodeAt(j)
    if (c >= 0x20 && c < 0xd800) {
      if (c === LT) break
      if (c === AMP) {
        if (j > run) appendLiteral(frame, s, run, j)
        const [data, next] = readReference(s, j)
        appendData(frame, data)
        j = run = next
      } else {
        if (c === GT && j >= 2 && s.charCodeAt(j - 1) === RBRACKET && s.charCodeAt(j - 2) === RBRACKET) {
          fail("]]> in character data", j)
        }
        j++
      }
    } else if (c === CR) {
      if (j > run) appendLiteral(frame, s, run, j)
      frame.data += "\n"
      j = s.charCodeAt(j + 1) === LF ? j + 2 : j + 1
      run = j
    } else {
      j = checkChar(s, j, c)
    }
  }
  if (j >= n) fail(`unexpected end of document inside <${frame.name}>`, n)
  if (j > run) appendLiteral(frame, s, run, j)
  return j
}

const readCdata = (s: string, i: number, frame: Frame): number => {
  const start = i + 9
  const end = skipPast(s, start, "]]>", "a CDATA section")
  appendData(frame, s.slice(start, end - 3).replace(/\r\n?/g, "\n"))
  return end
}

const finish = (frame: Frame): XmlElement => ({
  name: frame.name,
  children: frame.children,
  text:
    frame.first < 0
      ? ""
      : frame.first === 0 && frame.last === frame.data.length
        ? frame.data
        : frame.data.slice(frame.first, frame.last)
})

/**
 * Reads a whole document into its root element, or throws `XmlSyntaxError`.
 * A leading BOM and an XML declaration are allowed; so are comments,
 * processing instructions and whitespace around the root element.
 */
export const scan = (s: string): XmlElement => {
  let i = s.charCodeAt(0) === 0xfeff ? 1 : 0
  if (s.startsWith("<?xml", i) && isWs(s.charCodeAt(i + 5))) {
    declaration.lastIndex = i
    if (declaration.exec(s) === null) fail("malformed XML declaration", i)
    i = declaration.lastIndex
  }
  i = skipMisc(s, i)
  if (i >= s.length) fail("no root element", i)
  if (s.charCodeAt(i) !== LT) fail("text before the root element", i)

  const stack: Array<Frame> = []
  let root: XmlElement | undefined
  while (root === undefined) {
    const c = s.charCodeAt(i)
    if (c !== LT) {
      i = readText(s, i, stack[stack.length - 1]!)
      continue
    }
    const n = s.charCodeAt(i + 1)
    if (n === SLASH) {
      if (stack.length === 0) fail("end tag without a start tag", i)
      const nameEnd = readName(s, i + 2)
      const frame = stack.pop()!
      const name = s.slice(i + 2, nameEnd)
      if (name !== frame.name) fail(`end tag </${name}> does not match <${frame.name}>`, i)
      const close = skipWs(s, nameEnd)
      if (s.charCodeAt(close) !== GT)
        fail(close >= s.length ? "unexpected end of document in an end tag" : "malformed end tag", close)
      i = close + 1
      const element = finish(frame)
      if (stack.length === 0) root = element
      else stack[stack.length - 1]!.children.push(element)
    } else if (n === BANG) {
      if (stack.length === 0) markupDeclaration(s, i)
      if (s.startsWith("<!--", i)) i = readComment(s, i)
      else if (s.startsWith("<![CDATA[", i)) i = readCdata(s, i, stack[stack.length - 1]!)
      else markupDeclaration(s, i)
    } else if (n === QUESTION) {
      i = readPi(s, i)
    } else {
      const nameEnd = readName(s, i + 1)
      const name = s.slice(i + 1, nameEnd)
      let close = nameEnd
      const after = s.charCodeAt(nameEnd)
      if (after !== GT) {
        if (after === SLASH) close = nameEnd
        else if (isWs(after)) close = readAttributes(s, nameEnd)
        else fail(nameEnd >= s.length ? "unexpected end of document in a start tag" : "malformed start tag", nameEnd)
      }
      if (s.charCodeAt(close) === SLASH) {
        if (s.charCodeAt(close + 1) !== GT)
          fail(
            close + 1 >= s.length ? "unexpected end of document in a start tag" : "malformed empty-element tag",
            close
          )
        const element: XmlElement = { name, children: [], text: "" }
        if (stack.length === 0) root = element
        else stack[stack.length - 1]!.children.push(element)
        i = close + 2
      } else {
        if (stack.length >= maxDepth) fail(`elements nested deeper than ${maxDepth} levels`, i)
        stack.push({ name, children: [], data: "", first: -1, last: -1 })
        i = close + 1
      }
    }
    if (root === undefined && i >= s.length) {
      fail(`unexpected end of document inside <${stack[stack.length - 1]?.name ?? ""}>`, s.length)
    }
  }
  i = skipMisc(s, i)
  if (i < s.length) fail("content after the root element", i)
  return root
}

/** Line and column (both from 1) of an offset, for error messages. */
export const position = (s: string, offset: number): string => {
  let line = 1
  let column = 1
  for (let i = 0; i < offset && i < s.length; i++) {
    if (s.charCodeAt(i) === LF) {
      line++
      column = 1
    } else column++
  }
  return `line ${line}, column ${column}`
}
