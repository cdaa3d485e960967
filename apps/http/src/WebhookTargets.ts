/**
 * Where webhooks may be delivered (`WEBHOOK_ALLOWED_HOSTS`, decision 0110):
 * only `http` and `https` URLs, and never to a loopback, private,
 * link-local, unique-local, shared or unspecified address unless the
 * setting lists its host name or a CIDR that holds it. Checked when an
 * endpoint is stored (its URL's host as written) and again at each delivery
 * (every address its name resolves to), so that neither a URL nor a DNS
 * answer can point a delivery into the operator's network.
 *
 * @since 0.2.0
 */

import { lookup as dnsLookup, type LookupAddress } from "node:dns"
import { BlockList, isIP, type LookupFunction } from "node:net"

/**
 * The hosts and networks the operator allows besides public addresses.
 *
 * @since 0.2.0
 * @category models
 */
export interface WebhookHosts {
  /** Host names, lower case. */
  readonly names: ReadonlySet<string>
  /** Addresses and CIDRs. */
  readonly list: BlockList
  /** The entries as written, normalised (for logs and tests). */
  readonly entries: ReadonlyArray<string>
}

/**
 * No host allowed besides public addresses.
 *
 * @since 0.2.0
 * @category constructors
 */
export const noWebhookHosts: WebhookHosts = { names: new Set(), list: new BlockList(), entries: [] }

const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/

/**
 * An IP address without brackets, in lower case, an IPv4-mapped IPv6
 * address as its IPv4 (`::ffff:7f00:1` and `::ffff:127.0.0.1` are
 * `127.0.0.1`); `undefined` when it is not an IP address.
 *
 * @since 0.2.0
 * @category addresses
 */
export const normalizeIp = (raw: string): string | undefined => {
  let text = raw.trim().toLowerCase()
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1)
  if (text.startsWith("::ffff:") && isIP(text.slice(7)) === 4) return text.slice(7)
  const hex = mappedHex.exec(text)
  if (hex !== null) {
    const high = Number.parseInt(hex[1]!, 16)
    const low = Number.parseInt(hex[2]!, 16)
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`
  }
  return isIP(text) === 0 ? undefined : text
}

const familyOf = (address: string): "ipv4" | "ipv6" => (isIP(address) === 4 ? "ipv4" : "ipv6")

const reserved = new BlockList()
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4]
] as const) {
  reserved.addSubnet(network, prefix, "ipv4")
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8]
] as const) {
  reserved.addSubnet(network, prefix, "ipv6")
}

/**
 * Whether an address is one a webhook may not reach without the operator's
 * leave: loopback, private (RFC 1918), shared (100.64/10), link-local,
 * unique-local, multicast, reserved or unspecified, IPv4 or IPv6.
 *
 * @since 0.2.0
 * @category addresses
 */
export const isReservedAddress = (address: string): boolean => {
  const ip = normalizeIp(address)
  return ip === undefined || reserved.check(ip, familyOf(ip))
}

/**
 * Reads `WEBHOOK_ALLOWED_HOSTS`: host names, addresses and CIDRs separated
 * by commas; a message naming the bad entry otherwise.
 *
 * @since 0.2.0
 * @category parsing
 */
export const parseWebhookHosts = (
  text: string
): WebhookHosts | { readonly _tag: "Invalid"; readonly message: string } => {
  const names = new Set<string>()
  const list = new BlockList()
  const entries: Array<string> = []
  for (const entry of text.split(",")) {
    const item = entry.trim()
    if (item === "") continue
    const slash = item.indexOf("/")
    const address = normalizeIp(slash < 0 ? item : item.slice(0, slash))
    if (address === undefined) {
      if (slash >= 0 || !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(item) || item.length > 253) {
        return {
          _tag: "Invalid",
          message: `WEBHOOK_ALLOWED_HOSTS: ${JSON.stringify(item)} is not a host, address or CIDR`
        }
      }
      names.add(item.toLowerCase())
      entries.push(item.toLowerCase())
      continue
    }
    const bits = familyOf(address) === "ipv4" ? 32 : 128
    const prefixText = slash < 0 ? String(bits) : item.slice(slash + 1)
    const prefix = Number(prefixText)
    if (!/^\d+$/.test(prefixText) || prefix > bits) {
      return { _tag: "Invalid", message: `WEBHOOK_ALLOWED_HOSTS: ${JSON.stringify(item)} has a bad prefix length` }
    }
    list.addSubnet(address, prefix, familyOf(address))
    entries.push(`${address}/${prefix}`)
  }
  return { names, list, entries }
}

/**
 * Whether a resolved (or literal) address may be reached under `hosts`.
 *
 * @since 0.2.0
 * @category addresses
 */
export const isAllowedAddress = (hosts: WebhookHosts, address: string): boolean => {
  const ip = normalizeIp(address)
  if (ip === undefined) return false
  return !isReservedAddress(ip) || hosts.list.check(ip, familyOf(ip))
}

const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, "").toLowerCase()

/**
 * Why a webhook URL is refused under `hosts`, or `undefined` when it may be
 * stored: not a URL, a scheme other than `http`/`https`, credentials in it,
 * or a host that is a reserved address (or `localhost`) not allowed.
 *
 * @since 0.2.0
 * @category checks
 */
export const webhookUrlProblem = (hosts: WebhookHosts, text: string): string | undefined => {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return "not an absolute URL"
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "only http and https URLs are delivered to"
  if (url.username !== "" || url.password !== "") return "a webhook URL may not carry credentials"
  const host = hostOf(url)
  if (hosts.names.has(host)) return undefined
  const ip = normalizeIp(host)
  if (ip !== undefined) {
    return isAllowedAddress(hosts, ip)
      ? undefined
      : `${ip} is a loopback, private or reserved address; list it in WEBHOOK_ALLOWED_HOSTS to allow it`
  }
  if (host === "localhost" || host.endsWith(".localhost")) {
    return `${host} is a loopback name; list it in WEBHOOK_ALLOWED_HOSTS to allow it`
  }
  return undefined
}

/**
 * A `lookup` for `node:http` that resolves as usual, then refuses every
 * address that `hosts` does not allow (unless the host name itself is
 * listed): what defeats a name that resolves, or later re-resolves, into
 * the operator's network.
 *
 * @since 0.2.0
 * @category checks
 */
export const guardedLookup =
  (hosts: WebhookHosts): LookupFunction =>
  (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error !== null) return callback(error, "", 4)
      const all = addresses as unknown as ReadonlyArray<LookupAddress>
      const listed = hosts.names.has(hostname.toLowerCase())
      const usable = all.filter((a) => listed || isAllowedAddress(hosts, a.address))
      if (usable.length === 0) {
        const refused = Object.assign(
          new Error(`${hostname} resolves to a loopback, private or reserved address not in WEBHOOK_ALLOWED_HOSTS`),
          { code: "EWEBHOOKREFUSED" }
        )
        return callback(refused, "", 4)
      }
      if (options.all === true)
        return (callback as unknown as (e: null, a: ReadonlyArray<LookupAddress>) => void)(null, usable)
      return callback(null, usable[0]!.address, usable[0]!.family)
    })
  }
