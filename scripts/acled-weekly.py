#!/usr/bin/env python3
"""Aggregates an ACLED export the way ACLED's weekly aggregated files do: one row per week
(starting on Saturday), country, admin-1, event type, sub-event type and disorder type, with
the number of events and the sum of their fatalities. Written apart from Annals, to check
`eventStats` against it (tests/api/stats.rs):

    python3 scripts/acled-weekly.py tests/fixtures/acled/weekly.csv > tests/fixtures/acled/weekly-aggregated.csv

REGION, POPULATION_EXPOSURE, ID and the centroids of ACLED's files are left out: Annals keeps
none of them.
"""

import csv
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta


def event_date(text: str) -> date:
    for form in ("%d %B %Y", "%Y-%m-%d", "%d-%b-%y"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            pass
    raise ValueError(text)


def main(path: str) -> None:
    groups = defaultdict(lambda: [0, 0])
    with open(path, newline="", encoding="utf-8-sig") as rows:
        for row in csv.DictReader(rows):
            day = event_date(row["event_date"])
            saturday = day - timedelta(days=(day.weekday() - 5) % 7)
            key = (saturday.isoformat(), row["country"], row["admin1"], row["event_type"],
                   row["sub_event_type"], row["disorder_type"])
            groups[key][0] += 1
            groups[key][1] += int(row["fatalities"])
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["WEEK", "COUNTRY", "ADMIN1", "EVENT_TYPE", "SUB_EVENT_TYPE", "EVENTS",
                  "FATALITIES", "DISORDER_TYPE"])
    for key in sorted(groups):
        week, country, admin1, kind, sub_kind, disorder = key
        events, fatalities = groups[key]
        out.writerow([week, country, admin1, kind, sub_kind, events, fatalities, disorder])


if __name__ == "__main__":
    main(sys.argv[1])
