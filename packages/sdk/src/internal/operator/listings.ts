/**
 * The paginating calls beside the page calls, for both faces of the
 * operator client: `resellers.overviewsAll` and `customers.listAll`, each
 * every page of its page call from the query's cursor on, through the
 * face's `allPages` (an Effect stream, or an async iterable over the
 * Promise calls). Tested through `OperatorClient`.
 */
import type { CustomersQuery, OverviewsQuery } from "../../OperatorClient.js"

/** The page calls a listing is made of, whatever they answer. */
export interface PageCalls {
  readonly resellers: { readonly overviews: (apiUser: string, query: OverviewsQuery) => unknown }
  readonly customers: { readonly list: (query: CustomersQuery) => unknown }
}

/** `calls.resellers` and `calls.customers` with their listings, typed as `Client`'s. */
export const withListings = <Client extends { readonly resellers: object; readonly customers: object }>(
  calls: PageCalls,
  allPages: (first: string | undefined, page: (cursor: string | undefined) => never) => unknown
): Pick<Client, "resellers" | "customers"> =>
  ({
    resellers: {
      ...calls.resellers,
      overviewsAll: (apiUser: string, query: OverviewsQuery = {}) =>
        allPages(query.cursor, (cursor) => calls.resellers.overviews(apiUser, { ...query, cursor }) as never)
    },
    customers: {
      ...calls.customers,
      listAll: (query: CustomersQuery = {}) =>
        allPages(query.cursor, (cursor) => calls.customers.list({ ...query, cursor }) as never)
    }
  }) as unknown as Pick<Client, "resellers" | "customers">
