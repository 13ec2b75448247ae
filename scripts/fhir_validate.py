"""Validates hsplan's FHIR export with an independent implementation: every resource of the
Bundle is parsed by the `fhir.resources` models (FHIR R4B, whose Organization, Location,
HealthcareService and Bundle are R4's), which check structure, cardinality, types, id and
code patterns. Then checks what the models do not: every reference inside the Bundle
resolves, ids are unique per type, and mCSD's shape (jurisdictions as Organization +
Location with physicalType jdn, facilities placed by partOf).

    usage: python3 scripts/fhir_validate.py BUNDLE.json
"""

import base64
import json
import sys
from collections import Counter

from fhir.resources.R4B.bundle import Bundle

MCSD_TYPES = "https://profiles.ihe.net/ITI/mCSD/CodeSystem/IHE.mCSD.Organization.Location.Types"
GEOJSON = "https://profiles.ihe.net/ITI/mCSD/StructureDefinition/IHE.mCSD.GeoJSONExtension"


def main(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    bundle = Bundle.parse_obj(doc)  # raises on any structural error
    if bundle.type not in ("transaction", "batch", "collection", "searchset"):
        raise SystemExit(f"{path}: Bundle type {bundle.type!r} is not one a directory is sent as")
    entries = bundle.entry or []
    kinds = Counter(e.resource.resource_type for e in entries)
    ids = Counter((e.resource.resource_type, e.resource.id) for e in entries)
    dup = [k for k, n in ids.items() if n > 1]
    assert not dup, f"ids repeat: {dup[:5]}"
    known = set(ids)
    problems = []

    def check_ref(owner, field, ref):
        if ref is None:
            return
        kind, _, rid = ref.reference.partition("/")
        if (kind, rid) not in known:
            problems.append(f"{owner}: {field} → {ref.reference} is not in the Bundle")

    jurisdictions = 0
    boundaries = 0
    for e in entries:
        r = e.resource
        owner = f"{r.resource_type}/{r.id}"
        assert e.request.url == owner, f"{owner}: request url {e.request.url}"
        if r.resource_type == "Organization":
            check_ref(owner, "partOf", r.partOf)
        elif r.resource_type == "Location":
            # required bindings, which the models do not check
            if r.status not in (None, "active", "suspended", "inactive"):
                problems.append(f"{owner}: status {r.status!r} is not in LocationStatus")
            if r.mode not in (None, "instance", "kind"):
                problems.append(f"{owner}: mode {r.mode!r} is not in LocationMode")
            check_ref(owner, "partOf", r.partOf)
            check_ref(owner, "managingOrganization", r.managingOrganization)
            codes = {c.code for c in r.physicalType.coding} if r.physicalType else set()
            if "jdn" in codes:
                jurisdictions += 1
                for x in r.extension or []:
                    if x.url == GEOJSON:
                        geo = json.loads(base64.b64decode(x.valueAttachment.data))
                        assert geo["type"] in ("Polygon", "MultiPolygon"), owner
                        boundaries += 1
            types = {c.code for t in r.type or [] for c in t.coding if c.system == MCSD_TYPES}
            assert types & {"jurisdiction", "facility"}, f"{owner}: no mCSD type"
        elif r.resource_type == "HealthcareService":
            check_ref(owner, "providedBy", r.providedBy)
            for loc in r.location or []:
                check_ref(owner, "location", loc)
    assert not problems, "\n".join(problems[:20])
    print(
        f"{path}: valid FHIR (fhir.resources R4B): "
        + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        + f"; {jurisdictions} jurisdictions ({boundaries} with boundaries); every reference resolves"
    )


if __name__ == "__main__":
    main(sys.argv[1])
