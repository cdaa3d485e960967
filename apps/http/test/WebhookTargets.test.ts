import { assert, describe, it } from "@effect/vitest"
import {
  guardedLookup,
  isAllowedAddress,
  isReservedAddress,
  normalizeIp,
  noWebhookHosts,
  parseWebhookHosts,
  type WebhookHosts,
  webhookUrlProblem
} from "../src/WebhookTargets.js"

const hosts = (text: string): WebhookHosts => {
  const parsed = parseWebhookHosts(text)
  if ("_tag" in parsed) throw new Error(parsed.message)
  return parsed
}

describe("WebhookTargets", () => {
  it("knows loopback, private, link-local, unique-local, shared and unspecified addresses, v4 and v6", () => {
    for (const address of [
      "127.0.0.1",
      "127.8.9.10",
      "10.0.0.1",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.0.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::",
      "::1",
      "fe80::1",
      "fd00::1",
      "fc00::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:a00:1",
      "[::1]",
      "224.0.0.1"
    ]) {
      assert.isTrue(isReservedAddress(address), address)
    }
    for (const address of ["93.184.215.14", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"]) {
      assert.isFalse(isReservedAddress(address), address)
    }
    assert.strictEqual(normalizeIp("::ffff:7f00:1"), "127.0.0.1")
    assert.strictEqual(normalizeIp("[::FFFF:10.0.0.1]"), "10.0.0.1")
    assert.isUndefined(normalizeIp("example.com"))
  })

  it("reads WEBHOOK_ALLOWED_HOSTS: names, addresses and CIDRs; refuses what is neither", () => {
    const allowed = hosts(" 127.0.0.1, 10.0.0.0/8 ,hooks.internal, fd00::/8 ")
    assert.deepStrictEqual(allowed.entries, ["127.0.0.1/32", "10.0.0.0/8", "hooks.internal", "fd00::/8"])
    assert.isTrue(isAllowedAddress(allowed, "10.200.3.4"))
    assert.isTrue(isAllowedAddress(allowed, "::ffff:10.200.3.4"))
    assert.isTrue(isAllowedAddress(allowed, "fd12::1"))
    assert.isFalse(isAllowedAddress(allowed, "127.0.0.2"))
    assert.isFalse(isAllowedAddress(allowed, "192.168.1.1"))
    assert.isTrue(isAllowedAddress(allowed, "8.8.8.8"))
    assert.deepStrictEqual(hosts("").entries, [])
    for (const bad of ["10.0.0.0/33", "10.0.0.0/x", "http://x", "a b", "10.0.0.0/"]) {
      const parsed = parseWebhookHosts(bad)
      assert.isTrue("_tag" in parsed, bad)
      assert.include((parsed as { message: string }).message, "WEBHOOK_ALLOWED_HOSTS")
    }
  })

  it("refuses at PUT time a URL that is not http(s), carries credentials, or names a reserved host not allowed", () => {
    for (const url of [
      "http://127.0.0.1/h",
      "http://10.1.2.3/h",
      "http://[::1]:8080/h",
      "http://[::ffff:127.0.0.1]/h",
      "http://0x7f000001/h",
      "http://2130706433/h",
      "http://localhost/h",
      "http://api.localhost/h",
      "file:///etc/passwd",
      "ftp://example.com/",
      "https://user:pw@example.com/",
      "/relative"
    ]) {
      assert.isString(webhookUrlProblem(noWebhookHosts, url), url)
    }
    assert.isUndefined(webhookUrlProblem(noWebhookHosts, "https://example.com/hooks"))
    assert.isUndefined(webhookUrlProblem(noWebhookHosts, "http://93.184.215.14:8080/hooks"))
    const allowed = hosts("127.0.0.1,10.0.0.0/8,localhost")
    assert.isUndefined(webhookUrlProblem(allowed, "http://127.0.0.1:3000/h"))
    assert.isUndefined(webhookUrlProblem(allowed, "http://10.9.8.7/h"))
    assert.isUndefined(webhookUrlProblem(allowed, "http://localhost:3000/h"))
    assert.isString(webhookUrlProblem(allowed, "http://192.168.0.1/h"))
  })

  it("refuses at delivery time a name that resolves to a reserved address, unless the name or address is allowed", async () => {
    const resolve = (allowed: WebhookHosts, name: string) =>
      new Promise<{ error: NodeJS.ErrnoException | null; address: string | undefined }>((done) =>
        guardedLookup(allowed)(name, { family: 0 }, (error, address) =>
          done({ error, address: typeof address === "string" ? address : undefined })
        )
      )
    const refused = await resolve(noWebhookHosts, "localhost")
    assert.strictEqual(refused.error?.code, "EWEBHOOKREFUSED")
    assert.include(refused.error?.message, "WEBHOOK_ALLOWED_HOSTS")
    const byName = await resolve(hosts("localhost"), "localhost")
    assert.isNull(byName.error ?? null)
    assert.isTrue(isReservedAddress(byName.address!))
    const byAddress = await resolve(hosts("127.0.0.0/8,::1"), "localhost")
    assert.isNull(byAddress.error ?? null)
  })
})
