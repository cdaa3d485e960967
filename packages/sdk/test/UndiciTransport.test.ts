import { undiciTransport } from "../src/index.js"
import { transportSuite } from "./support/transportSuite.js"

transportSuite("undiciTransport", () => undiciTransport())
