// Display formatting. Dates are calendar dates without a time zone, so all
// arithmetic and formatting is done in UTC to keep them from shifting a day.

const nf = new Intl.NumberFormat("en-US");
export const num = (n) => (n == null ? "—" : nf.format(n));

const fmt = (opts) => new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", ...opts });
const dayFmt = fmt({ day: "numeric", month: "short", year: "numeric" });
const monthFmt = fmt({ month: "long", year: "numeric" });
const shortMonthFmt = fmt({ month: "short", year: "numeric" });

export function parseDate(s) {
  return new Date(`${s}T00:00:00Z`);
}

export function isoDate(d) {
  return d.toISOString().slice(0, 10);
}

export function addDays(s, n) {
  const d = parseDate(s);
  d.setUTCDate(d.getUTCDate() + n);
  return isoDate(d);
}

export function daysBetween(a, b) {
  return Math.round((parseDate(b) - parseDate(a)) / 86400000);
}

// A date as exactly as it is known: a MONTH-precise date is the month, not
// its first day.
export function formatDate(s, precision = "DAY") {
  if (!s) return "—";
  const d = parseDate(s);
  switch (precision) {
    case "YEAR":
      return String(d.getUTCFullYear());
    case "MONTH":
      return monthFmt.format(d);
    case "WEEK":
      return `week of ${dayFmt.format(d)}`;
    default:
      return dayFmt.format(d);
  }
}

export function formatDates(start, end, precision) {
  const a = formatDate(start, precision);
  if (!end || end === start) return a;
  return `${a} – ${formatDate(end, precision === "WEEK" ? "DAY" : precision)}`;
}

export const PRECISION_WORDS = {
  DAY: "exact day",
  WEEK: "known to the week",
  MONTH: "known to the month",
  YEAR: "known to the year",
};

export function formatStep(s, interval) {
  const d = parseDate(s);
  if (interval === "YEAR") return String(d.getUTCFullYear());
  if (interval === "MONTH") return shortMonthFmt.format(d);
  return dayFmt.format(d);
}

// The last day of the step that starts on `s`.
export function stepEnd(s, interval) {
  const d = parseDate(s);
  if (interval === "DAY") return s;
  if (interval === "WEEK") return addDays(s, 6);
  if (interval === "MONTH") return isoDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)));
  if (interval === "QUARTER") return isoDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 3, 0)));
  return `${d.getUTCFullYear()}-12-31`;
}

// Weeks while a range fits in about a year, months up to fifteen years,
// years beyond (hundreds of monthly bars would be slivers).
export function chooseInterval(from, to) {
  const span = daysBetween(from, to);
  if (span <= 400) return "WEEK";
  if (span <= 15 * 366) return "MONTH";
  return "YEAR";
}

// "164", "2,000+" (no upper bound), "1,000–2,000".
export function formatRange(low, high, highOpen) {
  if (low == null) return "unknown";
  if (highOpen || high == null) return `${num(low)}+`;
  if (high === low) return num(low);
  return `${num(low)}–${num(high)}`;
}

export function rangeWords(low, high, highOpen) {
  if (low == null) return "unknown";
  if (highOpen || high == null) return `more than ${num(low)}`;
  if (high === low) return num(low);
  return `between ${num(low)} and ${num(high)}`;
}

const regionNames = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["en"], { type: "region" }) : null;
export function countryName(code) {
  if (!code) return "";
  try {
    return (regionNames && regionNames.of(code)) || code;
  } catch {
    return code;
  }
}

export function placeText(location) {
  if (!location) return "place unknown";
  const parts = [location.place, location.admin1, countryName(location.countryCode)].filter(Boolean);
  return [...new Set(parts)].join(", ");
}

export function words(enumValue) {
  if (!enumValue) return "";
  const s = enumValue.toLowerCase().replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}
