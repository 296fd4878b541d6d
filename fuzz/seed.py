#!/usr/bin/env python3
"""Builds the fuzz targets' seed corpora in fuzz/corpus/<target>/ from the real files in
../shared/data (sanctions lists, each described by its README) and the shipped templates.

Seeds are small slices (a few records each) so that libFuzzer mutates real structure quickly;
nothing here is committed: the corpora are rebuilt from the data on every fresh clone.
Usage: python3 fuzz/seed.py [--data DIR] [--out DIR]
"""

import argparse
import csv
import hashlib
import io
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Must match FILE_SEPARATOR in fuzz_targets/common.rs.
FILE_SEPARATOR = b"\n--dossier-fuzz-file--\n"
MAX_SEED = 64 * 1024  # libFuzzer's -max_len in run.sh is larger; keep seeds well under it


class Corpus:
    def __init__(self, out: Path):
        self.out = out
        self.counts = {}

    def add(self, target: str, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        data = data[:MAX_SEED]
        d = self.out / target
        d.mkdir(parents=True, exist_ok=True)
        (d / hashlib.sha1(data).hexdigest()).write_bytes(data)
        self.counts[target] = self.counts.get(target, 0) + 1

    def add_json(self, target: str, value):
        self.add(target, json.dumps(value, ensure_ascii=False))


def lines(path: Path):
    return path.read_bytes().splitlines(keepends=True)


def slices(items, size, count):
    """`count` runs of `size` items spread over the whole list (start, middle, end included)."""
    if not items:
        return []
    step = max(1, (len(items) - size) // max(1, count - 1))
    out = []
    for i in range(count):
        start = min(i * step, max(0, len(items) - size))
        out.append(items[start : start + size])
    return out


def ofac(c: Corpus, wl: Path):
    def ent(line: bytes):
        return line.split(b",", 1)[0]

    for folder, names, flavour in [
        ("ofac_sdn/2021-07_full_set", ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"], b"\x00"),
        ("ofac_non_sdn/2025-12", ["cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"], b"\x01"),
    ]:
        files = [lines(wl / folder / n) for n in names]
        for primary in slices(files[0], 12, 8):
            ids = {ent(l) for l in primary}
            rest = [b"".join(l for l in f if ent(l) in ids) for f in files[1:]]
            c.add("ofac", flavour + FILE_SEPARATOR.join([b"".join(primary)] + rest))
    # The newest primaries alone, with their CRLF and final 0x1A.
    for day in ["2024-04-26", "2024-05-03"]:
        rows = lines(wl / "ofac_sdn" / day / "sdn.csv")
        for s in slices(rows, 10, 4):
            c.add("ofac", b"\x00" + b"".join(s))
    # The most recent aliases/addresses/comments against a primary of another date (as the
    # README says the lists mix).
    sdn = lines(wl / "ofac_sdn/2024-05-03/sdn.csv")[:20]
    ids = {ent(l) for l in sdn}
    rest = [
        b"".join(l for l in lines(wl / "ofac_sdn/2025-12_partial" / n) if ent(l) in ids)
        for n in ["add.csv", "alt.csv", "sdn_comments.csv"]
    ]
    c.add("ofac", b"\x00" + FILE_SEPARATOR.join([b"".join(sdn)] + rest))


def un(c: Corpus, wl: Path):
    text = (wl / "un_sc/UN_consolidated_2026-02-27.xml").read_text("utf-8")
    head = text[: text.index("<INDIVIDUALS>")]
    people = re.findall(r"<INDIVIDUAL>.*?</INDIVIDUAL>", text, re.S)
    entities = re.findall(r"<ENTITY>.*?</ENTITY>", text, re.S)
    for ps, es in zip(slices(people, 3, 10), slices(entities, 2, 10)):
        c.add(
            "un",
            head
            + "<INDIVIDUALS>\n    "
            + "\n    ".join(ps)
            + "\n  </INDIVIDUALS>\n  <ENTITIES>\n    "
            + "\n    ".join(es)
            + "\n  </ENTITIES>\n</CONSOLIDATED_LIST>\n",
        )
    return people


def uk_hmt(c: Corpus, wl: Path):
    rows = lines(wl / "uk_hmt/ConList_2018-04-13.csv")
    header, body = rows[:2], rows[2:]
    for s in slices(body, 8, 12):
        c.add("uk_hmt", b"".join(header + s))


def ftm_and_senzing(c: Corpus, wl: Path):
    d = wl / "opensanctions_ftm"
    for name in ["yente_t1_eu_fsf_sample.ftm.json", "yente_zala_cluster.ftm.json"]:
        for s in slices(lines(d / name), 3, 6):
            c.add("ftm", b"".join(s))
    for s in slices(lines(d / "us_congress_peps_senzing.json"), 4, 12):
        c.add("senzing", b"".join(s))


def parties(wl: Path):
    """Real people (name, birth date, country) and organisations from the UN and OFAC lists."""
    text = (wl / "un_sc/UN_consolidated_2026-02-27.xml").read_text("utf-8")
    people = []
    for block in re.findall(r"<INDIVIDUAL>.*?</INDIVIDUAL>", text, re.S)[::40]:
        first = re.search(r"<FIRST_NAME>(.*?)</FIRST_NAME>", block)
        second = re.search(r"<SECOND_NAME>(.*?)</SECOND_NAME>", block)
        year = re.search(r"<YEAR>(\d{4})</YEAR>", block)
        date = re.search(r"<DATE>(\d{4}-\d{2}-\d{2})</DATE>", block)
        people.append(
            {
                "first_name": first.group(1) if first else "",
                "last_name": second.group(1) if second else "",
                "birth_date": date.group(1) if date else (f"{year.group(1)}-01-01" if year else None),
            }
        )
    orgs = []
    reader = csv.reader(io.StringIO((wl / "ofac_non_sdn/2025-12/cons_prim.csv").read_text("utf-8", "replace")))
    for row in list(reader)[::25]:
        if len(row) > 2 and row[2].strip() == "-0-":
            orgs.append(row[1].strip())
    return people, orgs


COUNTRIES = ["FR", "DE", "GB", "IR", "SY", "RU", "US", "KP", "CD", "AF"]


def api(c: Corpus, wl: Path):
    people, orgs = parties(wl)
    for i, (p, org) in enumerate(zip(people, orgs)):
        country = COUNTRIES[i % len(COUNTRIES)]
        person = {k: v for k, v in p.items() if v}
        person["nationality"] = country
        c.add_json("api_application", {"type": "person", "person": person, "tags": ["fuzz"]})
        c.add_json(
            "api_application",
            {
                "type": "business",
                "business": {"name": org, "country": country, "industry_code": "64.20",
                             "address": {"line1": "1 rue de la Paix", "city": "Paris", "country": "FR"}},
                "relationships": [
                    {"kind": "person", "roles": ["ubo", "director"], "ownership_percentage": 25 + i,
                     "person": person, "custom_fields": {"country": country}},
                    {"kind": "business", "roles": ["shareholder"], "ownership_percentage": 40,
                     "business": {"name": org, "country": country},
                     "relationships": [{"kind": "person", "roles": ["ubo"], "person": person}]},
                ],
                "custom_fields": {"text": org, "date": person.get("birth_date", "2000-01-01"),
                                  "country_multi": [country, "FR"], "industry_code": "62.01"},
                "external_id": f"crm-{i}",
            },
        )
        c.add_json("api_application", {"business": {"name": org, "country": None}, "tags": [org]})
        c.add_json("api_application", {"person": {"last_name": p["last_name"], "email": "a@b.example"}})
        c.add_json(
            "api_relationship",
            {"kind": "person", "roles": ["ubo"], "ownership_percentage": 10.5, "person": person},
        )
        c.add_json(
            "api_relationship",
            {"kind": "business", "roles": ["shareholder"], "business": {"name": org},
             "relationships": [{"kind": "person", "roles": ["director"], "person": person}]},
        )
        c.add_json("api_relationship", {"roles": ["director"], "ownership_percentage": None,
                                        "person": {"first_name": p["first_name"]},
                                        "custom_fields": {"number": i, "text": None}})
        c.add_json("custom_field_values", {"text": org, "number": i, "boolean": True,
                                           "date": person.get("birth_date"), "country": country,
                                           "choice": "high", "multi_choice": ["a", "c"],
                                           "country_multi": [country], "industry_code": "J",
                                           "case_only": p["last_name"]})
    for t in ["text", "number", "boolean", "date", "country", "choice", "multi_choice",
              "country_multi", "industry_code"]:
        c.add_json("api_custom_field", {"api_name": f"{t}_field", "label": t.title(), "type": t,
                                        "choices": ["a", "b"] if "choice" in t else [],
                                        "applies_to": ["application", "relationship"],
                                        "condition": "application.business.country == 'FR'"})
    c.add_json("api_custom_field", {"label": "Renamed", "choices": ["x"], "description": None,
                                    "condition": None, "required": True})
    for url, events in [
        ("https://hooks.example.com/dossier", ["*"]),
        ("http://[::ffff:127.0.0.1]:8080/h", ["application.created"]),
        ("https://10.0.0.1/h", ["application.review_updated", "document.created"]),
    ]:
        c.add_json("api_webhook", {"url": url, "events": events, "description": "crm"})
        c.add_json("api_webhook", {"target_url": url, "event": events[0]})
        c.add_json("api_webhook", {"url": url, "enabled": False})
    return people, orgs


def expressions(value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("condition", "when") and isinstance(v, str):
                out.append(v)
            else:
                expressions(v, out)
    elif isinstance(value, list):
        for v in value:
            expressions(v, out)


def workflow(c: Corpus, people, orgs):
    found = []
    for path in sorted((ROOT / "crates/dossier-domain/data/templates").glob("*.json")):
        text = path.read_text("utf-8")
        c.add("template", text)
        template = json.loads(text)
        expressions(template, found)
        # Variants with conditions on real names and countries.
        t = json.loads(text)
        t["name"] = t["name"] + "_fuzz"
        t.setdefault("tasks", []).append(
            {"key": "sanctions_review", "kind": "manual", "name": "Review",
             "condition": f"application.business.name == {json.dumps(orgs[0])}"
             if t.get("applies_to") == "business" else
             f"application.person.last_name == {json.dumps(people[0]['last_name'])}"}
        )
        c.add_json("template", t)
    cel = list(found)
    for i, p in enumerate(people[:10]):
        cel.append(f"relationships.exists(r, has(r.person) && r.person.last_name == {json.dumps(p['last_name'])})")
        cel.append(f"country_risk(application.business.country) == 'high' || "
                   f"country_risk('{COUNTRIES[i % len(COUNTRIES)]}') == 'increased'")
        cel.append(f"age_years({json.dumps(p.get('birth_date') or '1980-01-01')}) >= 18")
    for e in ["relationship.roles.exists(x, x == 'ubo') && effective_ownership(relationship.id) >= 25.0",
              "risk.level == 'high' && tasks.filter(t, t.result != 'clear').size() > 0",
              "[1,2,3].map(x, x * 2).all(y, y > 0)",
              "documents.exists(d, d.type == 'passport' && d.status == 'valid')",
              "custom_fields.country_multi.exists(c, c in ['IR', 'KP'])"]:
        cel.append(e)
    # The cel target's first byte picks the scope (Case, Relationship, Risk, Decision).
    for e in cel:
        for scope in range(4):
            c.add("cel", bytes([scope]) + e.encode("utf-8"))


PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def uploads(c: Corpus, wl: Path, people, orgs):
    names = [p.name for p in sorted(wl.rglob("*")) if p.is_file()]
    names += [f"{p['last_name']} {p['first_name']} passport.pdf" for p in people[:10]]
    names += [f"{o}.pdf" for o in orgs[:10]]
    names += ["invoice\u202efdp.exe", " . report .pdf ", "../../etc/passwd", "a\tb\r\nc.png",
              "\u200f\u0007  ", "x" * 250 + ".pdf", "\ufeffkbis.pdf", "..hidden", "é" * 300]
    for n in names:
        c.add("filename", n)
    boundary = "dossierfuzzboundary"
    for i, (name, (content, mime)) in enumerate(
        zip(names[::3], [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"),
                         (b"MZ\x90\x00 not allowed", "application/octet-stream"),
                         (PDF, "image/png")] * 20)
    ):
        body = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\npassport\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"relationship_id\"\r\n\r\nrel_{i}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: {mime}\r\n\r\n"
        ).encode("utf-8") + content + f"\r\n--{boundary}--\r\n".encode()
        header = f"multipart/form-data; boundary={boundary}\n".encode()
        c.add("upload", header + bytes([i * 37 % 256]) + body)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "fuzz" / "corpus")
    args = ap.parse_args()
    wl = args.data / "watchlists"
    if not wl.is_dir():
        raise SystemExit(f"no watchlists under {args.data}: the seeds come from ../shared/data")
    c = Corpus(args.out)
    ofac(c, wl)
    un(c, wl)
    uk_hmt(c, wl)
    ftm_and_senzing(c, wl)
    people, orgs = api(c, wl)
    workflow(c, people, orgs)
    uploads(c, wl, people, orgs)
    for t, n in sorted(c.counts.items()):
        print(f"{t}: {n} seeds")


if __name__ == "__main__":
    main()
