// Figures, their targets, and how a run is printed and stored.

/**
 * One measured figure. `value` is ours (with `spread`: min and max of the rounds, when the
 * measuring script gives them); `baseline` what it is compared with in the same run; `ratio`
 * ours against it; `target` bounds `ratio` (`of: "ratio"`) or `value` (`of: "value"`).
 */
export const figure = ({ name, value, unit, spread, baseline, ratio, ratioText, target, note }) => {
  const judged = target === undefined ? undefined : target.of === "ratio" ? ratio : value
  const met =
    target === undefined
      ? undefined
      : !Number.isFinite(judged)
        ? false
        : target.op === ">="
          ? judged >= target.limit
          : target.op === "<="
            ? judged <= target.limit
            : target.op === "<"
              ? judged < target.limit
              : judged > target.limit
  return {
    name,
    value,
    unit,
    ...(spread === undefined ? {} : { spread }),
    ...(baseline === undefined ? {} : { baseline }),
    ...(ratio === undefined ? {} : { ratio: Number.isFinite(ratio) ? Number(ratio.toFixed(4)) : null }),
    ...(ratioText === undefined ? {} : { ratioText }),
    ...(target === undefined ? {} : { target }),
    status: met === undefined ? "info" : met ? "PASS" : "MISS",
    ...(note === undefined ? {} : { note })
  }
}

const digits = (unit, n) =>
  !Number.isFinite(n)
    ? "n/a"
    : unit === "ms" || unit === "MB" || unit === "µs"
      ? n.toFixed(1)
      : unit === "x"
        ? n.toFixed(2)
        : Math.round(n).toLocaleString("en-US")

export const quantity = (value, unit) => `${digits(unit, value)} ${unit}`

const cell = (f) => {
  const main = quantity(f.value, f.unit)
  return f.spread === undefined || f.spread.min === f.spread.max
    ? main
    : `${main} [${digits(f.unit, f.spread.min)}..${digits(f.unit, f.spread.max)}]`
}

/** The run as one table: every figure, its baseline, ratio, target and PASS/MISS. */
export const table = (sections) => {
  const header = ["row", "measurement", "ours (median [min..max])", "baseline", "ratio", "target", "result"]
  const lines = []
  for (const s of sections) {
    if (s.error !== undefined) {
      lines.push([s.id, "(did not run)", s.error.split("\n")[0].slice(0, 100), "", "", "", "ERROR"])
      continue
    }
    for (const f of s.figures) {
      lines.push([
        s.id,
        f.name,
        cell(f),
        f.baseline === undefined ? "" : `${f.baseline.name}: ${quantity(f.baseline.value, f.baseline.unit)}`,
        f.ratioText ?? (f.ratio === undefined ? "" : f.ratio === null ? "n/a" : `${f.ratio.toFixed(3)}x`),
        f.target?.text ?? "",
        f.status === "info" ? "" : f.status
      ])
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)))
  const row = (cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd()
  return [row(header), row(widths.map((w) => "-".repeat(w))), ...lines.map(row)].join("\n")
}

/** Counts of PASS, MISS and sections that failed to run. */
export const verdict = (sections) => {
  const figures = sections.flatMap((s) => s.figures ?? [])
  return {
    pass: figures.filter((f) => f.status === "PASS").length,
    miss: figures.filter((f) => f.status === "MISS").length,
    errors: sections.filter((s) => s.error !== undefined).length
  }
}
