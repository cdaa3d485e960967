#!/usr/bin/env node
import { runCommand } from "./Commands.js"

runCommand(process.argv.slice(2))
