import { readFileSync } from "node:fs"

/** The version in the package's package.json. */
export const packageVersion: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { readonly version: string }
).version
