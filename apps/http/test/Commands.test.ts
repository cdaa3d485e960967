import { defaultDatabaseUrl } from "@account-overview/store"
import { assert, describe, it } from "@effect/vitest"
import { commandsUsage } from "../src/Commands.js"

describe("Commands (runCommand, migrateCommand, seedDemoCommand through bin.test.ts)", () => {
  it("names the three commands and the store's default DATABASE_URL in the help", () => {
    assert.include(commandsUsage, "Usage: account-overview-server [command]")
    for (const command of ["serve", "migrate", "seed-demo", "demo", "help"])
      assert.match(commandsUsage, new RegExp(`^  ${command} `, "m"))
    assert.include(commandsUsage, `DATABASE_URL (${defaultDatabaseUrl})`)
    assert.include(commandsUsage, "DATABASE_URL (sqlite:./data/account-overview.db)")
  })

  it("names DATA_DIR, where the default database lives, and where the logs go", () => {
    assert.include(commandsUsage, "DATA_DIR (./data, made absolute at start)")
    assert.include(commandsUsage, "in DATA_DIR when unset")
    assert.include(commandsUsage, "Logs are JSON lines on stdout")
  })
})
