// Written by build.mjs from package.json: do not edit.

/** The package's version. */
export const version = "0.1.0"
