#!/usr/bin/env python3
"""Seeds a fresh Dossier with one object of each kind and writes a schemathesis.toml whose path
parameters pick the seeded ids half of the time, so generated requests reach the handlers' logic
instead of stopping at 404 (the other half stay generated, to keep the not-found paths tested).

Usage: seed.py BASE_URL API_KEY OUT_TOML
"""

import json
import sys
import urllib.error
import urllib.request

base, key, out = sys.argv[1], sys.argv[2], sys.argv[3]


def call(method, path, body=None, raw=None, content_type="application/json"):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req) as r:
            text = r.read()
    except urllib.error.HTTPError as e:
        sys.exit(f"seed: {method} {path}: {e.code} {e.read().decode(errors='replace')}")
    return json.loads(text) if text else None


cf = call("POST", "/api/custom_fields",
          {"api_name": "segment", "label": "Segment", "type": "choice", "choices": ["retail", "corporate"]})
case = call("POST", "/api/applications", {
    "type": "business",
    "business": {"name": "Acme Logistics SAS", "registration_number": "552100554", "country": "FR"},
    "relationships": [{"kind": "person", "roles": ["director"],
                       "person": {"first_name": "Claire", "last_name": "Martin", "nationality": "FR"}}],
    "custom_fields": {"segment": "retail"},
})
person = call("POST", "/api/applications", {
    "type": "person", "person": {"first_name": "Ada", "last_name": "Lovelace", "country_of_residence": "GB"}})
case_ids = [case["id"], person["id"]]
rel_ids = [r["id"] for r in case["relationships"]]
task_ids = sorted({t["key"] for c in (case, person) for t in c["tasks"]})

# A minimal PDF, enough for the upload's content sniffing.
boundary = "seedboundary"
pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
form = (
    f"--{boundary}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\npassport\r\n"
    f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.pdf\"\r\n"
    "Content-Type: application/pdf\r\n\r\n"
).encode() + pdf + f"\r\n--{boundary}--\r\n".encode()
doc = call("POST", f"/api/applications/{person['id']}/documents", raw=form,
           content_type=f"multipart/form-data; boundary={boundary}")
call("POST", f"/api/applications/{case['id']}/comments", {"body": "Seeded for schemathesis."})

hooks = [call("POST", "/api/webhooks", {"url": f"https://hooks.example.com/{n}", "events": ["*"]})["id"]
         for n in ("a", "b")]
delivery = call("POST", f"/api/webhooks/{hooks[0]}/test")
portal = call("POST", "/api/portals", {"type": "person"})

ids = {
    "case_ids": case_ids,
    "relationship_ids": rel_ids,
    "task_ids": task_ids,
    "document_ids": [doc["id"]],
    "custom_field_ids": [cf["id"]],
    "webhook_ids": hooks,
    "delivery_ids": [delivery["id"]],
    "portal_ids": [portal["id"]],
    "template_names": ["kyc_standard", "kyb_standard"],
    "versions": [1, 2],
}
# Which seeded ids each path parameter takes, by the paths it appears in.
bindings = [
    (r"^/api/applications/\{id\}", {"id": "case_ids", "rid": "relationship_ids", "task_id": "task_ids",
                                     "doc_id": "document_ids", "version": "versions"}),
    (r"^/api/custom_fields/\{id\}", {"id": "custom_field_ids"}),
    (r"^/api/webhooks/\{id\}", {"id": "webhook_ids", "delivery_id": "delivery_ids"}),
    (r"^/api/portals/\{id\}", {"id": "portal_ids"}),
    (r"^/api/templates/\{name\}", {"name": "template_names"}),
]


def toml_str(s):
    return json.dumps(s)  # a JSON string is a valid TOML basic string for these values


with open(out, "w") as f:
    f.write("# Written by tests/schemathesis/seed.py for one run.\n")
    for name, values in ids.items():
        f.write(f"[dictionaries.{name}]\nvalues = [{', '.join(toml_str(v) for v in values)}]\n")
    for regex, params in bindings:
        f.write(f"\n[[operations]]\ninclude-path-regex = {toml_str(regex)}\n")
        f.write("[operations.parameters]\n")
        for param, dictionary in params.items():
            f.write(f"\"path.{param}\" = {{ dictionary = \"{dictionary}\", probability = 0.5 }}\n")
print(f"seeded: {sum(len(v) for v in ids.values())} ids ({', '.join(f'{k} {len(v)}' for k, v in ids.items())})")
