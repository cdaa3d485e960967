/**
 * The canonical form under which customer and reseller names are compared:
 * names are matched without regard to case (`Customer@Example.COM` is
 * `customer@example.com`), while the stored spelling is kept for display.
 * The store indexes this form; the wire and the operator API look names up
 * through it. Package names are compared exactly (see the decision record
 * 0080).
 *
 * @since 0.2.0
 */

const canonical = (name: string): string => name.normalize("NFC").toLowerCase()

/**
 * The canonical key of a customer (`user`) or reseller (`api_user`) name:
 * its Unicode NFC form in lower case (`String.prototype.toLowerCase`, which
 * does not depend on the locale). A name in lower-case ASCII is its own key,
 * with no copy made: the hot path's common case.
 *
 * @since 0.2.0
 * @category names
 */
export const nameKey = (name: string): string => {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c >= 0x41 && (c <= 0x5a || c >= 0x80)) return canonical(name)
  }
  return name
}

/**
 * Whether two customer or reseller names are the same name under
 * `nameKey`.
 *
 * @since 0.2.0
 * @category names
 */
export const sameName = (a: string, b: string): boolean => a === b || nameKey(a) === nameKey(b)
