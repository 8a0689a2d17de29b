#!/usr/bin/env python3
"""Writes an invented ACLED export in the current schema, for import benchmarks.

    python3 scripts/acled-csv.py 1000000 acled-1m.csv

Every row is made up (ACLED's licence forbids copying real rows): 500 actors and 50 outlets
drawn at random, dates over ten years, four event types, quoted notes with commas. The same
count always gives the same file (a fixed seed).
"""

import csv
import random
import sys

HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
    "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
    "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,"
    "source_scale,notes,fatalities,tags,timestamp"
).split(",")
TYPES = [
    ("Demonstrations", "Protests", "Peaceful protest", "Protesters"),
    ("Political violence; Demonstrations", "Riots", "Violent demonstration", "Rioters"),
    ("Political violence", "Battles", "Armed clash", "Rebel group"),
    ("Political violence", "Violence against civilians", "Attack", "Political militia"),
]
ACTORS = [f"Actor {i} (Kazakhstan)" for i in range(500)]
OUTLETS = [f"Outlet {i}" for i in range(50)]
MONTHS = "January February March April May June July August September October November December"


def main(rows: int, path: str) -> None:
    rng = random.Random(7)
    months = MONTHS.split()
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            disorder, kind, sub_kind, category = rng.choice(TYPES)
            year, month, day = 2015 + i % 10, rng.randrange(12), rng.randrange(1, 28)
            associated = "; ".join(rng.sample(ACTORS, rng.randrange(0, 3)))
            sources = "; ".join(rng.sample(OUTLETS, rng.randrange(1, 3)))
            writer.writerow([
                f"KAZ{i + 1}", f"{day:02d} {months[month]} {year}", year,
                rng.choice([1, 1, 1, 2, 3]), disorder, kind, sub_kind,
                rng.choice(ACTORS), associated, category, rng.choice(ACTORS), "",
                "State forces", f"{category}-State forces", "", 398, "Central Asia",
                "Kazakhstan", "Almaty", "Almaty", "", f"Place {i % 300}",
                f"{43 + rng.random():.4f}", f"{76 + rng.random():.4f}", rng.choice([1, 2, 3]),
                sources, "National",
                f'Invented row {i}: people gathered, and some said "enough"; police arrived later.',
                rng.randrange(0, 5), "crowd size=dozens" if i % 7 == 0 else "",
                1641600000 + i,
            ])


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
