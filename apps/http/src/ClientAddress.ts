/**
 * The client's address behind trusted proxies (`TRUST_PROXY`, decision
 * 0085): the rightmost entry of `X-Forwarded-For` that no trusted proxy
 * wrote. Entries to the left of it are the client's own choice and are
 * never read.
 *
 * - unset, `false` or `0`: the socket's address; `X-Forwarded-For` is ignored.
 * - a hop count `N` (1-16): N proxies stand in front; the client is the Nth
 *   entry from the right (the socket is the nearest proxy).
 * - a list of addresses or CIDRs (`10.0.0.0/8, 192.0.2.1, fd00::/8`):
 *   the socket and entries from the right are skipped while they fall in the
 *   list; the first one that does not is the client.
 * - `true` means one hop (`1`): the one proxy in front wrote the rightmost
 *   entry. It used to mean "the first entry", which the client writes.
 * - anything else is refused at start with a message naming `TRUST_PROXY`.
 *
 * @since 0.2.0
 */
import { BlockList, isIP } from "node:net"

/**
 * Which proxies are trusted.
 *
 * @since 0.2.0
 * @category models
 */
export type TrustProxy =
  | { readonly _tag: "None" }
  | { readonly _tag: "Hops"; readonly hops: number }
  | { readonly _tag: "Proxies"; readonly ranges: ReadonlyArray<string>; readonly list: BlockList }

/**
 * No proxy is trusted: the socket's address is the client's.
 *
 * @since 0.2.0
 * @category constructors
 */
export const trustNoProxy: TrustProxy = { _tag: "None" }

/**
 * The most hops `TRUST_PROXY` takes.
 *
 * @since 0.2.0
 * @category constants
 */
export const maxTrustedHops = 16

/**
 * An address without IPv4-mapped IPv6 prefix, brackets or port; `undefined`
 * when it is not an IP address.
 *
 * @since 0.2.0
 * @category addresses
 */
export const normalizeAddress = (raw: string): string | undefined => {
  let text = raw.trim()
  if (text.startsWith("[")) {
    const end = text.indexOf("]")
    if (end < 0) return undefined
    text = text.slice(1, end)
  } else if (text.indexOf(":") > 0 && text.indexOf(":") === text.lastIndexOf(":") && text.includes(".")) {
    text = text.slice(0, text.indexOf(":"))
  }
  if (text.toLowerCase().startsWith("::ffff:") && isIP(text.slice(7)) === 4) text = text.slice(7)
  return isIP(text) === 0 ? undefined : text.toLowerCase()
}

const family = (address: string): "ipv4" | "ipv6" => (isIP(address) === 4 ? "ipv4" : "ipv6")

/**
 * Reads `TRUST_PROXY`: a message saying what is wrong, or the trust.
 *
 * @since 0.2.0
 * @category parsing
 */
export const parseTrustProxy = (text: string): TrustProxy | { readonly _tag: "Invalid"; readonly message: string } => {
  const value = text.trim()
  const lower = value.toLowerCase()
  if (lower === "" || lower === "false" || lower === "0" || lower === "no" || lower === "off") return trustNoProxy
  if (lower === "true" || lower === "yes" || lower === "on") return { _tag: "Hops", hops: 1 }
  if (/^\d+$/.test(value)) {
    const hops = Number(value)
    return hops >= 1 && hops <= maxTrustedHops
      ? { _tag: "Hops", hops }
      : { _tag: "Invalid", message: `TRUST_PROXY: a hop count is 1 to ${maxTrustedHops}` }
  }
  const list = new BlockList()
  const ranges: Array<string> = []
  for (const entry of value.split(",")) {
    const item = entry.trim()
    if (item === "") continue
    const slash = item.indexOf("/")
    const address = normalizeAddress(slash < 0 ? item : item.slice(0, slash))
    if (address === undefined)
      return { _tag: "Invalid", message: `TRUST_PROXY: ${JSON.stringify(item)} is not an address or CIDR` }
    const bits = family(address) === "ipv4" ? 32 : 128
    const prefix = slash < 0 ? bits : Number(item.slice(slash + 1))
    if (
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > bits ||
      (slash >= 0 && !/^\d+$/.test(item.slice(slash + 1)))
    ) {
      return { _tag: "Invalid", message: `TRUST_PROXY: ${JSON.stringify(item)} has a bad prefix length` }
    }
    list.addSubnet(address, prefix, family(address))
    ranges.push(`${address}/${prefix}`)
  }
  return ranges.length === 0 ? trustNoProxy : { _tag: "Proxies", ranges, list }
}

const isTrusted = (list: BlockList, address: string | undefined): boolean =>
  address !== undefined && list.check(address, family(address))

/**
 * The client's address: the socket's, or under `trust` the rightmost
 * untrusted `X-Forwarded-For` entry (the leftmost when every entry is
 * trusted). `forwarded` is the header as Node joins it (`, ` between
 * repeated headers).
 *
 * @since 0.2.0
 * @category addresses
 */
export const clientAddressOf = (trust: TrustProxy, socket: string | undefined, forwarded: unknown): string => {
  if (trust._tag === "None" || typeof forwarded !== "string" || forwarded === "") return socket ?? ""
  const own = socket === undefined ? "" : (normalizeAddress(socket) ?? socket)
  if (trust._tag === "Proxies" && !isTrusted(trust.list, own)) return own
  const entries = forwarded.split(",")
  if (trust._tag === "Hops") {
    const entry = entries[Math.max(0, entries.length - trust.hops)]!
    return normalizeAddress(entry) ?? entry.trim()
  }
  for (let i = entries.length - 1; i >= 0; i--) {
    const address = normalizeAddress(entries[i]!)
    if (!isTrusted(trust.list, address)) return address ?? entries[i]!.trim()
    if (i === 0) return address!
  }
  return own
}
