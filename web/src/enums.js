// Enumeration values the page hard-codes (it cannot introspect a production
// server). build.mjs fails the build when one of these lists no longer
// equals the schema's enum, so a new event type cannot go unnoticed.

export const EVENT_TYPES = [
  "BATTLES",
  "EXPLOSIONS_REMOTE_VIOLENCE",
  "VIOLENCE_AGAINST_CIVILIANS",
  "PROTESTS",
  "RIOTS",
  "STRATEGIC_DEVELOPMENTS",
];

export const EVENT_TYPE_LABELS = {
  BATTLES: "Battles",
  EXPLOSIONS_REMOTE_VIOLENCE: "Explosions / remote violence",
  VIOLENCE_AGAINST_CIVILIANS: "Violence against civilians",
  PROTESTS: "Protests",
  RIOTS: "Riots",
  STRATEGIC_DEVELOPMENTS: "Strategic developments",
};

// Colour-blind-safe (Okabe–Ito) so the stacked timeline and the map dots
// stay distinguishable; the legend repeats the names in text anyway.
export const EVENT_TYPE_COLORS = {
  BATTLES: "#d55e00",
  EXPLOSIONS_REMOTE_VIOLENCE: "#cc79a7",
  VIOLENCE_AGAINST_CIVILIANS: "#e69f00",
  PROTESTS: "#0072b2",
  RIOTS: "#b8860b",
  STRATEGIC_DEVELOPMENTS: "#009e73",
};

export const CASUALTY_CATEGORIES = ["KILLED", "INJURED", "DETAINED", "MISSING", "DISPLACED"];

export const CASUALTY_LABELS = {
  KILLED: "Killed",
  INJURED: "Injured",
  DETAINED: "Detained",
  MISSING: "Missing",
  DISPLACED: "Displaced",
};

export const GEO_PRECISIONS = ["EXACT", "CITY", "REGION", "COUNTRY", "DISTRICT", "PART_OF_COUNTRY", "WATER"];

// Located to a spot or a town: drawn as a solid dot. Everything coarser is
// an area whose coordinates are only a stand-in point, drawn as a ring.
export const PRECISE_LOCATIONS = new Set(["EXACT", "CITY"]);

export const GEO_PRECISION_LABELS = {
  EXACT: "exact spot",
  CITY: "town or city",
  REGION: "region",
  COUNTRY: "country only",
  DISTRICT: "district",
  PART_OF_COUNTRY: "part of the country",
  WATER: "waters / airspace",
};

export const DATE_PRECISIONS = ["DAY", "WEEK", "MONTH", "YEAR"];

export const REPORT_STATUSES = ["REPORTED", "DISPUTED", "RETRACTED"];

export const RECONCILIATION_RULES = ["PREFERRED", "LOWEST_UNDISPUTED", "LOWEST_DISPUTED", "NONE_STANDING", "SUB_EVENTS"];

export const RULE_LABELS = {
  PREFERRED: "preferred report",
  LOWEST_UNDISPUTED: "lowest undisputed report",
  LOWEST_DISPUTED: "lowest disputed report",
  NONE_STANDING: "no report stands",
  SUB_EVENTS: "sum of sub-events",
};

export const PARTICIPANT_ROLES = ["INITIATOR", "TARGET", "INTERVENER", "SUPPORTER", "OBSERVER", "MEDIATOR"];

export const MENTION_ROLES = ["MENTIONED", "BLAMED"];

export const STATEMENT_MODES = ["VERBATIM", "PARAPHRASE"];

// The schema enum each list must equal, for build.mjs.
export const CHECKED_ENUMS = {
  EventType: EVENT_TYPES,
  CasualtyCategory: CASUALTY_CATEGORIES,
  GeoPrecision: GEO_PRECISIONS,
  DatePrecision: DATE_PRECISIONS,
  ReportStatus: REPORT_STATUSES,
  ReconciliationRule: RECONCILIATION_RULES,
  ParticipantRole: PARTICIPANT_ROLES,
  MentionRole: MENTION_ROLES,
  StatementMode: STATEMENT_MODES,
};

// Label tables must name every value too, or a value would show up unlabelled.
export const CHECKED_LABELS = {
  EventType: EVENT_TYPE_LABELS,
  CasualtyCategory: CASUALTY_LABELS,
  GeoPrecision: GEO_PRECISION_LABELS,
  ReconciliationRule: RULE_LABELS,
};
