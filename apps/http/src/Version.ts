/**
 * The service's version: its package's, read once from `package.json`
 * (beside `src/` and `dist/` alike).
 *
 * @since 0.2.0
 */
import { createRequire } from "node:module"

/**
 * The version of `@account-overview/http` that runs.
 *
 * @since 0.2.0
 * @category constants
 */
export const serviceVersion: string = (createRequire(import.meta.url)("../package.json") as { version: string }).version
