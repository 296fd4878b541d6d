#!/usr/bin/env python3
"""Writes locales/<lang>/countries.ftl from Debian's iso-codes (package iso-codes, LGPL-2.1-or-later):
the ISO 3166-1 names, translated by its gettext catalogues. Run from crates/dossier-server:
`python3 locales/countries.py en fr`."""
import gettext
import json
import sys

data = json.load(open("/usr/share/iso-codes/json/iso_3166-1.json"))["3166-1"]
head = ("# Country names (ISO 3166-1), generated from Debian's iso-codes (LGPL-2.1-or-later) with\n"
        "# crates/dossier-server/locales/countries.py; ids are country-<alpha-2 code>.\n")
for lang in sys.argv[1:] or ["en", "fr"]:
    tr = gettext.translation("iso_3166-1", localedir="/usr/share/locale", languages=[lang], fallback=True)
    lines = [head]
    for c in sorted(data, key=lambda c: c["alpha_2"]):
        name = c.get("common_name", c["name"])
        lines.append(f"country-{c['alpha_2']} = {tr.gettext(name)}\n")
    open(f"locales/{lang}/countries.ftl", "w").writelines(lines)
