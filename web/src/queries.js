// Every GraphQL operation the page sends. They live in one module so that
// build.mjs can validate each of them against ../schema.graphql: production
// servers have introspection off, so a typo would otherwise surface only at
// run time, in front of a reader.

const EVENT_ROW = `
  id
  title
  type
  subType
  startDate
  endDate
  datePrecision
  location { countryCode admin1 place latitude longitude precision }
  killed: figure(category: KILLED) { low best high highOpen }
`;

// What the map needs of an event it draws only at its country's centre.
const COUNTRY_ROW = `
  id
  title
  type
  startDate
  endDate
  datePrecision
  location { countryCode }
`;

// Everything but the timeline, in one request: the
// first page of the list, the first page of map points (the world-wide bbox
// keeps only events that have coordinates; $mapFilter also leaves out those
// located only to a country), the events located only to a country (their
// first page, and how many there are per country, counted as the list counts
// them: scope ALL counts episodes too).
export const EXPLORER_QUERY = `
query ExplorerViews($filter: EventFilter, $mapFilter: EventFilter, $countryFilter: EventFilter, $first: Int!, $mapFirst: Int!, $countryFirst: Int!) {
  list: events(filter: $filter, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ${EVENT_ROW} } }
  }
  map: events(filter: $mapFilter, first: $mapFirst) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ${EVENT_ROW} } }
  }
  countryOnly: events(filter: $countryFilter, first: $countryFirst) {
    edges { node { ${COUNTRY_ROW} } }
  }
  countryStats: eventStats(filter: $countryFilter, groupBy: [COUNTRY], interval: NONE, top: 100, scope: ALL) {
    series { key { countryCode } other total { events } }
  }
}`;

// The first and last start dates the filter selects, when it gives no dates:
// the timeline chooses its step width from them. Sent on its own, ahead of
// the other views, so that the timeline need not wait for them.
export const EXTENT_QUERY = `
query Extent($filter: EventFilter) {
  earliest: events(filter: $filter, first: 1, orderBy: { field: START_DATE, direction: ASC }) {
    edges { node { startDate } }
  }
  latest: events(filter: $filter, first: 1, orderBy: { field: START_DATE, direction: DESC }) {
    edges { node { startDate endDate } }
  }
}`;

export const EVENTS_PAGE_QUERY = `
query EventsPage($filter: EventFilter, $first: Int!, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ${EVENT_ROW} } }
  }
}`;

const STATS_POINT = `
  start
  events
  coarserDates
  figures { category low best high highOpen unknown }
`;

export const TIMELINE_QUERY = `
query Timeline($filter: EventFilter, $interval: StatsInterval!, $from: Date, $to: Date) {
  eventStats(filter: $filter, groupBy: [EVENT_TYPE], interval: $interval, from: $from, to: $to, top: 20) {
    steps
    series {
      key { eventType }
      other
      points { start events }
      total { events }
    }
    total {
      points { ${STATS_POINT} }
      total { ${STATS_POINT} }
    }
  }
}`;

export const COUNTRIES_QUERY = `
query Countries {
  eventStats(groupBy: [COUNTRY], interval: NONE, top: 100) {
    series { key { countryCode } other total { events } }
  }
}`;

export const ACTOR_SEARCH_QUERY = `
query ActorSearch($name: String!) {
  actors(filter: { name: $name }, first: 12) {
    edges { node { id name kind countryCode } }
  }
}`;

// Restores the names of the actors a bookmarked URL names by ID.
export const ACTOR_NAMES_QUERY = `
query ActorNames($ids: [ID!]!) {
  nodes(ids: $ids) { id ... on Actor { name } }
}`;

const CITATIONS = `
  citations {
    excerpt
    source { id publisher title url publishedOn status archiveUrl kind }
  }
`;

const REPORT = `
  id
  category
  affectedGroup
  low
  high
  best
  preferred
  asOf
  status
  statusReason
  note
  claimedBy { id name }
  ${CITATIONS}
`;

export const EVENT_QUERY = `
query EventPage($id: ID!) {
  node(id: $id) {
    id
    __typename
    ... on Event {
      key
      title
      summary
      type
      subType
      startDate
      endDate
      datePrecision
      lowConfidence
      archivedAt
      location { countryCode admin1 admin2 place latitude longitude precision }
      parent { id title startDate datePrecision }
      subEvents(first: 100) {
        totalCount
        edges { node { id title type startDate endDate datePrecision } }
      }
      participants { role actor { id name kind } }
      statements(first: 100) {
        totalCount
        edges {
          node {
            id
            text
            mode
            kind
            statedOn
            datePrecision
            lowConfidence
            speaker { id name }
            actorMentions { role actor { id name } }
            ${CITATIONS}
          }
        }
      }
      casualtyReports { ${REPORT} }
      figures {
        category
        low
        best
        high
        highOpen
        rule
        explanation
        considered { id }
        excluded { reason report { id } supersededBy { id } }
        subEvents { low best high highOpen }
      }
      ${CITATIONS}
    }
  }
}`;

export const SEARCH_QUERY = `
query Search($query: String!, $filter: EventFilter, $first: Int!, $exhaustive: Boolean!) {
  search(query: $query, filter: $filter, first: $first, exhaustive: $exhaustive) {
    exhaustive
    pageInfo { hasNextPage }
    edges {
      node {
        score
        highlights { field segments { text match } }
        node {
          __typename
          id
          ... on Event { title type startDate datePrecision location { countryCode place } }
          ... on Statement { text mode speaker { name } event { id title } }
          ... on Actor { name kind countryCode }
          ... on Source { publisher sourceTitle: title url status archiveUrl }
        }
      }
    }
  }
}`;

export const VIEWER_QUERY = `
query Viewer {
  viewer { name role authenticated }
}`;

// Any committed change makes the open views refetch; the node's type is
// enough to know something changed, and keeps the message small.
export const CHANGES_SUBSCRIPTION = `
subscription Changes {
  changes {
    cursor
    live
    node { __typename id }
  }
}`;

export const ALL_OPERATIONS = {
  EXPLORER_QUERY,
  EXTENT_QUERY,
  EVENTS_PAGE_QUERY,
  TIMELINE_QUERY,
  COUNTRIES_QUERY,
  ACTOR_SEARCH_QUERY,
  ACTOR_NAMES_QUERY,
  EVENT_QUERY,
  SEARCH_QUERY,
  VIEWER_QUERY,
  CHANGES_SUBSCRIPTION,
};
