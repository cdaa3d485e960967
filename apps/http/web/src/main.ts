// The page: sign in, the book of a reseller (sort, filter, search, pages,
// CSV), one customer with its chart. Talks to the service's own `/app/api`
// only; the key is sent once and never kept (no storage), the session is an
// HttpOnly cookie, every state-changing call carries the CSRF token.
import {
  type BookRow,
  bookCsv,
  type Overview,
  type SortKey,
  type StateName,
  sortRows,
  stateOf,
  wireFields
} from "./book.js"
import { cumulative, dayOfCycle, daysBetween } from "./dates.js"

interface SessionInfo {
  readonly apiUser?: string
  readonly operator: boolean
  readonly csrfToken: string
  readonly expiresAt: string
}

interface Day {
  readonly day: string
  readonly requests: number
  readonly credits: number
}

interface Cycle {
  readonly start: string
  readonly end: string
  readonly allowance: number
  readonly days: ReadonlyArray<Day>
}

interface CustomerView {
  readonly user: string
  readonly reseller: string
  readonly overview: Overview
  readonly cycles: ReadonlyArray<Cycle>
}

const api = "/app/api"
const firstPage = 100
const laterPages = 2000
const numbers = new Intl.NumberFormat("en-US")
const fmt = (n: number): string => numbers.format(n)

let session: SessionInfo | undefined
let reseller = ""
let resellers: ReadonlyArray<string> = []
let rows: Array<BookRow> = []
let loadedAll = false
let loadGeneration = 0
const view = {
  sort: "user" as SortKey,
  descending: false,
  name: "",
  search: "",
  state: "all" as StateName | "all",
  page: 0,
  pageSize: 50
}

type Child = Node | string | null | undefined | false

const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: ReadonlyArray<Child>
): HTMLElementTagNameMap[K] => {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue
    el.setAttribute(name, value === true ? "" : String(value))
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child)
  return el
}

const svgNs = "http://www.w3.org/2000/svg"
const s = (tag: string, attrs: Record<string, string | number> = {}, ...children: ReadonlyArray<Node>): SVGElement => {
  const el = document.createElementNS(svgNs, tag)
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value))
  el.append(...children)
  return el
}

const main = (): HTMLElement => document.getElementById("main") as HTMLElement
const status = (text: string): void => {
  ;(document.getElementById("status") as HTMLElement).textContent = text
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message)
  }
}

const call = async <A>(method: string, path: string, body?: unknown): Promise<A> => {
  const headers: Record<string, string> = { accept: "application/json" }
  if (body !== undefined) headers["content-type"] = "application/json"
  if (method !== "GET" && session !== undefined) headers["x-csrf-token"] = session.csrfToken
  const response = await fetch(`${api}${path}`, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? null : JSON.stringify(body)
  })
  const text = await response.text()
  const json = text === "" ? undefined : JSON.parse(text)
  if (!response.ok) throw new ApiError(response.status, (json as { message?: string })?.message ?? response.statusText)
  return json as A
}

// ---- sign in ------------------------------------------------------------

const field = (id: string, label: string, attrs: Record<string, string | boolean>) =>
  h("p", { class: "field" }, h("label", { for: id }, label), h("input", { id, name: id, ...attrs }))

const showSignIn = (message?: string): void => {
  session = undefined
  rows = []
  renderSessionNav()
  const error = h("p", { id: "sign-in-error", class: "error", role: "alert" }, message ?? "")
  const reseller = h(
    "form",
    { id: "sign-in", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title" }, "Sign in"),
    field("api-user", "API user", {
      autocomplete: "username",
      required: true,
      autocapitalize: "none",
      spellcheck: "false"
    }),
    field("api-key", "API key", { type: "password", autocomplete: "current-password", required: true }),
    h("p", {}, h("button", { type: "submit" }, "Sign in"))
  )
  const operator = h(
    "details",
    { class: "operator" },
    h("summary", {}, "Sign in as the operator"),
    h(
      "form",
      { id: "operator-sign-in", "aria-label": "Operator sign-in" },
      field("admin-token", "Admin token", { type: "password", autocomplete: "off", required: true }),
      h("p", {}, h("button", { type: "submit" }, "Sign in as operator"))
    )
  )
  const box = h("section", { class: "sign-in" }, reseller, operator, error)
  main().replaceChildren(box)
  const submit = async (form: HTMLFormElement, body: Record<string, string>) => {
    const button = form.querySelector("button") as HTMLButtonElement
    button.disabled = true
    error.textContent = ""
    try {
      session = await call<SessionInfo>("POST", "/session", body)
      for (const input of Array.from(box.querySelectorAll("input"))) input.value = ""
      await startBook()
    } catch (e) {
      error.textContent =
        e instanceof ApiError ? `Sign-in failed: ${e.message}` : "Sign-in failed: the service did not answer"
      button.disabled = false
      ;(form.querySelector("input[type=password]") as HTMLInputElement).focus()
    }
  }
  reseller.addEventListener("submit", (event) => {
    event.preventDefault()
    const user = (document.getElementById("api-user") as HTMLInputElement).value.trim()
    const key = (document.getElementById("api-key") as HTMLInputElement).value
    void submit(reseller, { apiUser: user, apiKey: key })
  })
  const opForm = operator.querySelector("form") as HTMLFormElement
  opForm.addEventListener("submit", (event) => {
    event.preventDefault()
    void submit(opForm, { adminToken: (document.getElementById("admin-token") as HTMLInputElement).value })
  })
  ;(document.getElementById("api-user") as HTMLInputElement).focus()
}

const signOut = async (): Promise<void> => {
  try {
    await call("DELETE", "/session")
  } catch {
    // The session may have ended already: the page signs out either way.
  }
  loadGeneration++
  location.hash = ""
  showSignIn()
  status("Signed out")
}

const renderSessionNav = (): void => {
  const nav = document.getElementById("session") as HTMLElement
  if (session === undefined) {
    nav.replaceChildren()
    return
  }
  const who = session.operator ? "operator" : (session.apiUser ?? "")
  const out = h("button", { type: "button", id: "sign-out" }, "Sign out")
  out.addEventListener("click", () => void signOut())
  const parts: Array<Node> = [h("span", { class: "who" }, `Signed in as ${who}`)]
  if (session.operator && resellers.length > 0) {
    const select = h("select", { id: "reseller" })
    for (const name of resellers) select.append(h("option", { value: name, selected: name === reseller }, name))
    select.addEventListener("change", () => {
      reseller = select.value
      location.hash = ""
      void loadBook()
    })
    parts.push(h("label", { for: "reseller" }, "Reseller"), select)
  }
  parts.push(out)
  nav.replaceChildren(...parts)
}

// ---- the book -------------------------------------------------------------

const startBook = async (): Promise<void> => {
  const own = session?.apiUser
  resellers = own === undefined ? await call<ReadonlyArray<string>>("GET", "/resellers") : [own]
  reseller = own ?? resellers[0] ?? ""
  renderSessionNav()
  await loadBook()
  window.addEventListener("hashchange", route)
  route()
}

interface PageOf {
  readonly items: ReadonlyArray<{ readonly user: string; readonly overview: Overview }>
  readonly nextCursor?: string
}

const loadBook = async (): Promise<void> => {
  const generation = ++loadGeneration
  rows = []
  loadedAll = false
  view.page = 0
  if (reseller === "") {
    renderBook()
    return
  }
  const path = `/resellers/${encodeURIComponent(reseller)}/customers`
  let page = await call<PageOf>("GET", `${path}?limit=${firstPage}`)
  if (generation !== loadGeneration) return
  rows = page.items.map((item) => ({ user: item.user, overview: item.overview }))
  loadedAll = page.nextCursor === undefined
  if (!location.hash.startsWith("#/customer/")) renderBook()
  while (page.nextCursor !== undefined) {
    page = await call<PageOf>("GET", `${path}?limit=${laterPages}&cursor=${encodeURIComponent(page.nextCursor)}`)
    if (generation !== loadGeneration) return
    for (const item of page.items) rows.push({ user: item.user, overview: item.overview })
    loadedAll = page.nextCursor === undefined
    if (!location.hash.startsWith("#/customer/")) updateBook()
  }
}

const columns: ReadonlyArray<readonly [SortKey, string]> = [
  ["user", "Customer"],
  ["package", "Package"],
  ["used", "Credits used"],
  ["overage", "Overage"],
  ["state", "State"],
  ["requests", "Requests"],
  ["reputation", "Reputation"],
  ["cycle", "Cycle"],
  ["left", "Days left"]
]

const todayUtc = (): string => new Date().toISOString().slice(0, 10)

const visibleRows = (): Array<BookRow> => {
  const name = view.name.trim().toLowerCase()
  const search = view.search.trim().toLowerCase()
  const filtered = rows.filter((row) => {
    if (name !== "" && !row.user.toLowerCase().includes(name)) return false
    if (view.state !== "all" && stateOf(row.overview) !== view.state) return false
    if (search !== "") {
      const o = row.overview
      const text = `${row.user} ${o.package} ${o.billingStartDate} ${o.billingEndDate} ${o.creditsUsed} ${o.requests}`
      if (!text.toLowerCase().includes(search)) return false
    }
    return true
  })
  return sortRows(filtered, view.sort, view.descending, todayUtc())
}

const usageBar = (row: BookRow): HTMLElement => {
  const o = row.overview
  const share = o.creditsAllowed === 0 ? (o.creditsUsed > 0 ? 1 : 0) : o.creditsUsed / o.creditsAllowed
  const state = stateOf(o)
  const width = Math.max(0, Math.min(100, share * 100))
  return h(
    "div",
    {
      class: `usage ${state}`,
      role: "progressbar",
      "aria-label": `Credits used by ${row.user}`,
      "aria-valuemin": 0,
      "aria-valuemax": o.creditsAllowed,
      "aria-valuenow": o.creditsUsed,
      "aria-valuetext": `${fmt(o.creditsUsed)} of ${fmt(o.creditsAllowed)} credits`
    },
    s(
      "svg",
      { viewBox: "0 0 100 10", preserveAspectRatio: "none", "aria-hidden": "true", focusable: "false" },
      s("rect", { class: "track", x: 0, y: 0, width: 100, height: 10 }),
      s("rect", { class: "fill", x: 0, y: 0, width: width.toFixed(2), height: 10 })
    ),
    h("span", { class: "figures" }, `${fmt(o.creditsUsed)} / ${fmt(o.creditsAllowed)}`)
  )
}

const overageCell = (o: Overview): HTMLElement =>
  o.creditsOverage > 0
    ? h("span", { class: "overage" }, `overage ${fmt(o.creditsOverage)}`)
    : h("span", { class: "no-overage" }, "no overage")

const stateLabel: Record<StateName, string> = { under: "under", near: "near (≥ 80 %)", over: "over" }

const bookRow = (row: BookRow, today: string): HTMLTableRowElement => {
  const o = row.overview
  const state = stateOf(o)
  const progress = dayOfCycle(o.billingStartDate, o.billingEndDate, today)
  const open = h("a", { href: `#/customer/${encodeURIComponent(row.user)}`, class: "customer" }, row.user)
  return h(
    "tr",
    { class: state, "data-user": row.user },
    h("th", { scope: "row" }, open),
    h("td", {}, o.package),
    h("td", {}, usageBar(row)),
    h("td", {}, overageCell(o)),
    h("td", {}, h("span", { class: `state ${state}` }, stateLabel[state])),
    h("td", { class: "num" }, fmt(o.requests)),
    h("td", { class: "num" }, String(o.reputation)),
    h("td", {}, `${o.billingStartDate} – ${o.billingEndDate}`),
    h("td", {}, `day ${progress.day} of ${progress.of}, ${progress.left} ${progress.left === 1 ? "day" : "days"} left`)
  )
}

let tbody: HTMLTableSectionElement | undefined
let pager: HTMLElement | undefined
let countLine: HTMLElement | undefined
let headerRow: HTMLTableRowElement | undefined

const renderBook = (): void => {
  const heading = h(
    "h1",
    { id: "book-title", tabindex: -1 },
    reseller === "" ? "No reseller" : `Customers of ${reseller}`
  )
  const name = h("input", { id: "filter-name", type: "search", value: view.name, autocomplete: "off" })
  const search = h("input", { id: "search", type: "search", value: view.search, autocomplete: "off" })
  const state = h("select", { id: "filter-state" })
  for (const [value, label] of [
    ["all", "All"],
    ["under", "Under"],
    ["near", "Near (≥ 80 %)"],
    ["over", "Over"]
  ] as const) {
    state.append(h("option", { value, selected: view.state === value }, label))
  }
  const size = h("select", { id: "page-size" })
  for (const n of [25, 50, 100, 250]) size.append(h("option", { value: n, selected: view.pageSize === n }, String(n)))
  const exportButton = h("button", { type: "button", id: "export" }, "Export CSV")
  const controls = h(
    "div",
    { class: "controls", role: "search" },
    h("p", { class: "field" }, h("label", { for: "filter-name" }, "Filter by name"), name),
    h("p", { class: "field" }, h("label", { for: "filter-state" }, "State"), state),
    h("p", { class: "field" }, h("label", { for: "search" }, "Search"), search),
    h("p", { class: "field" }, h("label", { for: "page-size" }, "Rows per page"), size),
    h("p", { class: "field" }, exportButton)
  )
  headerRow = h("tr", {})
  tbody = h("tbody", {})
  const table = h(
    "table",
    { id: "book", "aria-labelledby": "book-title", "aria-describedby": "book-count" },
    h("thead", {}, headerRow),
    tbody
  )
  countLine = h("p", { id: "book-count", class: "count" })
  pager = h("nav", { class: "pager", "aria-label": "Pages" })
  main().replaceChildren(heading, controls, countLine, h("div", { class: "scroll" }, table), pager)
  const refilter = () => {
    view.page = 0
    updateBook()
  }
  name.addEventListener("input", () => {
    view.name = name.value
    refilter()
  })
  search.addEventListener("input", () => {
    view.search = search.value
    refilter()
  })
  state.addEventListener("change", () => {
    view.state = state.value as StateName | "all"
    refilter()
  })
  size.addEventListener("change", () => {
    view.pageSize = Number(size.value)
    refilter()
  })
  exportButton.addEventListener("click", exportCsv)
  updateBook()
}

const updateBook = (): void => {
  if (tbody === undefined || headerRow === undefined || pager === undefined || countLine === undefined) return
  if (!tbody.isConnected) return
  headerRow.replaceChildren(
    ...columns.map(([key, label]) => {
      const active = view.sort === key
      const button = h(
        "button",
        { type: "button", class: "sort", "data-sort": key },
        label,
        h("span", { "aria-hidden": "true" }, active ? (view.descending ? " ▼" : " ▲") : "")
      )
      button.addEventListener("click", () => {
        if (view.sort === key) view.descending = !view.descending
        else {
          view.sort = key
          view.descending = false
        }
        updateBook()
        ;(headerRow?.querySelector(`button[data-sort="${key}"]`) as HTMLButtonElement | null)?.focus()
      })
      return h(
        "th",
        { scope: "col", "aria-sort": active ? (view.descending ? "descending" : "ascending") : undefined },
        button
      )
    })
  )
  const shown = visibleRows()
  const pages = Math.max(1, Math.ceil(shown.length / view.pageSize))
  view.page = Math.min(view.page, pages - 1)
  const today = todayUtc()
  const from = view.page * view.pageSize
  const slice = shown.slice(from, from + view.pageSize)
  tbody.replaceChildren(...slice.map((row) => bookRow(row, today)))
  if (slice.length === 0) {
    tbody.append(
      h(
        "tr",
        {},
        h("td", { colspan: columns.length }, rows.length === 0 ? "No customers yet." : "No customer matches.")
      )
    )
  }
  countLine.textContent =
    `${fmt(shown.length)} of ${fmt(rows.length)} customers` +
    (loadedAll ? "" : " (still loading…)") +
    (shown.length > 0 ? `, showing ${fmt(from + 1)}–${fmt(from + slice.length)}` : "")
  const previous = h("button", { type: "button", id: "previous-page", disabled: view.page === 0 }, "Previous page")
  const next = h("button", { type: "button", id: "next-page", disabled: view.page >= pages - 1 }, "Next page")
  previous.addEventListener("click", () => {
    view.page--
    updateBook()
    ;(document.getElementById(view.page === 0 ? "next-page" : "previous-page") as HTMLButtonElement).focus()
  })
  next.addEventListener("click", () => {
    view.page++
    updateBook()
    ;(document.getElementById(view.page >= pages - 1 ? "previous-page" : "next-page") as HTMLButtonElement).focus()
  })
  pager.replaceChildren(previous, h("span", {}, `Page ${view.page + 1} of ${pages}`), next)
}

const exportCsv = (): void => {
  const blob = new Blob([bookCsv(visibleRows())], { type: "text/csv;charset=utf-8" })
  const url = URL.createObjectURL(blob)
  const link = h("a", { href: url, download: `${reseller || "book"}-customers.csv`, class: "hidden" })
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  status("The CSV file is ready")
}

// ---- one customer ------------------------------------------------------

const chart = (cycle: Cycle): SVGElement => {
  const dates = daysBetween(cycle.start, cycle.end)
  const byDay = new Map(cycle.days.map((d) => [d.day, d.credits]))
  const credits = dates.map((d) => byDay.get(d) ?? 0)
  const running = cumulative(credits)
  const total = running[running.length - 1] ?? 0
  const top = Math.max(cycle.allowance, total, 1) * 1.05
  const width = 640
  const height = 260
  const left = 56
  const bottom = 24
  const plotW = width - left - 8
  const plotH = height - bottom - 8
  const x = (i: number) => left + (i + 0.5) * (plotW / dates.length)
  const y = (v: number) => 8 + plotH - (v / top) * plotH
  const barW = Math.max(1, plotW / dates.length - 2)
  const bars = credits.map((c, i) =>
    s("rect", {
      class: "day",
      x: (x(i) - barW / 2).toFixed(1),
      y: y(c).toFixed(1),
      width: barW.toFixed(1),
      height: (y(0) - y(c)).toFixed(1)
    })
  )
  const line = s("polyline", {
    class: "cumulative",
    points: running.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ")
  })
  const allowance = s("line", {
    class: "allowance",
    x1: left,
    x2: width - 8,
    y1: y(cycle.allowance).toFixed(1),
    y2: y(cycle.allowance).toFixed(1)
  })
  const label = (text: string, attrs: Record<string, string | number>) => {
    const t = s("text", attrs)
    t.textContent = text
    return t
  }
  const title = s("title", { id: "chart-title" })
  title.textContent = `Daily credits from ${cycle.start} to ${cycle.end}: ${fmt(total)} in all against an allowance of ${fmt(cycle.allowance)}`
  return s(
    "svg",
    { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "chart-title" },
    title,
    s("line", { class: "axis", x1: left, x2: width - 8, y1: y(0), y2: y(0) }),
    ...bars,
    allowance,
    line,
    label(fmt(cycle.allowance), { class: "tick", x: left - 4, y: y(cycle.allowance) + 4, "text-anchor": "end" }),
    label("0", { class: "tick", x: left - 4, y: y(0) + 4, "text-anchor": "end" }),
    label(cycle.start, { class: "tick", x: left, y: height - 6 }),
    label(cycle.end, { class: "tick", x: width - 8, y: height - 6, "text-anchor": "end" })
  )
}

const showCustomer = async (user: string): Promise<void> => {
  let customer: CustomerView
  try {
    customer = await call<CustomerView>("GET", `/customers/${encodeURIComponent(user)}`)
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return showSignIn("The session ended: sign in again")
    main().replaceChildren(
      h("h1", { id: "customer-title", tabindex: -1 }, "Customer not found"),
      h("p", {}, h("a", { href: "#" }, "Back to the book"))
    )
    ;(document.getElementById("customer-title") as HTMLElement).focus()
    return
  }
  const o = customer.overview
  const state = stateOf(o)
  const facts = h("dl", { class: "overview" })
  for (const [key, wire] of wireFields) {
    const value = o[key]
    facts.append(h("dt", {}, wire), h("dd", {}, typeof value === "number" ? fmt(value) : value))
  }
  const cycleSelect = h("select", { id: "cycle" })
  customer.cycles.forEach((c, i) => {
    cycleSelect.append(h("option", { value: i }, `${c.start} – ${c.end}${i === 0 ? " (current)" : ""}`))
  })
  const figure = h("figure", { class: "chart-box" })
  const drawn = (i: number) => {
    const cycle = customer.cycles[i]
    if (cycle === undefined) return
    const total = cycle.days.reduce((sum, d) => sum + d.credits, 0)
    const days = h(
      "table",
      { class: "days" },
      h("caption", {}, "Daily credits"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Day"),
          h("th", { scope: "col" }, "Requests"),
          h("th", { scope: "col" }, "Credits")
        )
      ),
      h(
        "tbody",
        {},
        ...cycle.days.map((d) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, d.day),
            h("td", { class: "num" }, fmt(d.requests)),
            h("td", { class: "num" }, fmt(d.credits))
          )
        )
      )
    )
    figure.replaceChildren(
      chart(cycle),
      h(
        "figcaption",
        {},
        h("span", { class: "key bars" }, "daily credits"),
        h("span", { class: "key line" }, "cumulative"),
        h("span", { class: "key allowance" }, `allowance ${fmt(cycle.allowance)}`),
        ` — ${fmt(total)} credits in this cycle`
      ),
      h("details", {}, h("summary", {}, "The days as a table"), days)
    )
  }
  cycleSelect.addEventListener("change", () => drawn(Number(cycleSelect.value)))
  const progress = dayOfCycle(o.billingStartDate, o.billingEndDate, todayUtc())
  main().replaceChildren(
    h("p", {}, h("a", { href: "#", id: "back" }, "← Back to the book")),
    h("h1", { id: "customer-title", tabindex: -1 }, customer.user),
    h(
      "p",
      { class: `summary ${state}` },
      o.creditsOverage > 0 ? `overage ${fmt(o.creditsOverage)}` : `${fmt(o.creditsRemain)} credits left`,
      ` · day ${progress.day} of ${progress.of}, ${progress.left} days left · reseller ${customer.reseller}`
    ),
    h(
      "section",
      { "aria-labelledby": "overview-title" },
      h("h2", { id: "overview-title" }, "Overview (as the wire gives it)"),
      facts
    ),
    h(
      "section",
      { "aria-labelledby": "chart-heading" },
      h("h2", { id: "chart-heading" }, "Daily credits"),
      h("p", { class: "field" }, h("label", { for: "cycle" }, "Cycle"), cycleSelect),
      figure
    )
  )
  drawn(0)
  ;(document.getElementById("customer-title") as HTMLElement).focus()
}

const route = (): void => {
  if (session === undefined) return
  const hash = location.hash
  if (hash.startsWith("#/customer/")) {
    void showCustomer(decodeURIComponent(hash.slice("#/customer/".length)))
    return
  }
  renderBook()
  ;(document.getElementById("book-title") as HTMLElement | null)?.focus()
}

// ---- start ----------------------------------------------------------------

const start = async (): Promise<void> => {
  try {
    session = await call<SessionInfo>("GET", "/session")
  } catch {
    return showSignIn()
  }
  try {
    await startBook()
  } catch (e) {
    showSignIn(e instanceof ApiError ? e.message : "the service did not answer")
  }
}

void start()
