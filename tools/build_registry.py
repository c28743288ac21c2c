#!/usr/bin/env python3
"""Builds Oretrail's template registry (crates/oretrail-template/registry/templates.json)
from the cell map of the RMI templates (shared/spec/rmi-cellmap.json).

The registry is the single place where template families and versions differ: cells, rows,
allowed answers, sheet names, detection texts and Checker parameters. Rust code reads it and
never branches on a version number. Re-run after the cell map changes; the Rust test
`registry_matches_blank_templates` checks the output against the real blank templates.
"""
import json, re, sys, pathlib

FAMILY_TITLE = {
    "CMRT": "Conflict Minerals Reporting Template",
    "EMRT": "Extended Mineral Reporting Template",
    "CRT": "Cobalt Reporting Template",
    "AMRT": "Additional Minerals Reporting Template",
}
# Checker parameters per family (spec §9): which Q1/Q2 answers take a mineral out of scope.
CHECKER = {
    "CMRT": {"q1_out": ["No"], "q2_out": ["No"], "q2_required": True, "q2_out_applies": True,
             "url_question": "B", "describe_other_question": None, "active_questions": ["Q1", "Q2"]},
    "EMRT1": {"q1_out": ["No", "Unknown", "Not applicable for this declaration"],
              "q2_out": ["No", "Unknown", "Not applicable for this declaration"], "q2_required": True,
              "q2_out_applies": True, "url_question": "B", "describe_other_question": "E", "active_questions": ["Q1", "Q2"]},
    "EMRT2": {"q1_out": ["No", "Unknown", "Not declaring"], "q2_out": ["No", "Unknown"], "q2_required": True,
              "q2_out_applies": True, "url_question": "B", "describe_other_question": None, "active_questions": ["Q1", "Q2"]},
    "CRT": {"q1_out": ["No", "Unknown"], "q2_out": [], "q2_required": False, "q2_out_applies": False,
            "url_question": "A", "describe_other_question": "G", "active_questions": ["Q1"]},
    "AMRT": {"q1_out": ["No", "Unknown", "Not declaring"], "q2_out": [], "q2_required": False,
             "q2_out_applies": False, "url_question": None, "describe_other_question": None, "active_questions": ["Q1"]},
}
# Further Checker parameters (spec §9) used by oretrail-validate, common to every family unless
# overridden below: required Declaration fields, e-mail fields, Q1/Q2 answers that declare a mineral
# not used (Smelter List rows of it are contradictions), questions never required, the question
# "have you identified all smelters", the answer that needs a description in the comment, and the
# Smelter List fields a row needs to count as a smelter for a mineral / a "not listed" row needs.
CHECKER_COMMON = {
    "required_fields": ["company_name", "scope", "contact_name", "contact_email", "contact_phone",
                        "authorizer_name", "authorizer_email", "effective_date"],
    "email_fields": ["contact_email", "authorizer_email"],
    "optional_questions": [],
    "yes_comment_questions": [],
    "describe_other_answer": None,
    "all_identified_question": None,
    "q1_declared_unused": ["No"],
    "q2_declared_unused": ["No"],
    "smelter_row_required": ["lookup"],
    "not_listed_required": ["name", "country"],
}
CHECKER_FAMILY = {
    "CMRT": {"all_identified_question": "Q7"},
    "EMRT1": {"all_identified_question": "Q6", "describe_other_answer": "Yes, Using Other Format (Describe)",
              "q1_declared_unused": ["No", "Not applicable for this declaration"]},
    "EMRT2": {"all_identified_question": "Q6", "q1_declared_unused": ["No", "Not declaring"]},
    "CRT": {"all_identified_question": "Q5", "describe_other_answer": "Yes, Using Other Format (Describe)",
            "q2_declared_unused": []},
    "AMRT": {"optional_questions": ["Q2"], "q1_declared_unused": ["No", "Not declaring"],
             "q2_declared_unused": [], "smelter_row_required": ["lookup", "country"]},
}
# Version-specific Checker rows: EMRT 1.1/1.11 also demand a comment (labelled "URL") when
# question A is Yes; AMRT 1.2 has no look-up (a smelter is metal + typed name + country).
CHECKER_VERSION = {
    ("EMRT", "1.1"): {"yes_comment_questions": ["A"]},
    ("EMRT", "1.11"): {"yes_comment_questions": ["A"]},
    ("AMRT", "1.2"): {"smelter_row_required": ["name", "country"], "not_listed_required": []},
}
MONTHS = {m: i + 1 for i, m in enumerate(["January", "February", "March", "April", "May", "June", "July",
                                          "August", "September", "October", "November", "December"])}
# Date validation bounds (spec §10): None = no upper bound.
NO_UPPER_DATE = {("CMRT", "6.31"), ("CMRT", "6.4"), ("CMRT", "6.5")}

SMELTER_KEYS = {
    "smelter_id_input": "smelter_id_input", "metal": "metal", "smelter_lookup": "lookup",
    "smelter_name": "name", "smelter_country": "country", "smelter_id": "cid",
    "smelter_id_source": "source", "smelter_street": "street", "smelter_city": "city",
    "smelter_state_province": "state_province", "smelter_contact_name": "contact_name",
    "smelter_contact_email": "contact_email", "proposed_next_steps": "proposed_next_steps",
    "mine_names": "mine_names", "mine_countries": "mine_countries",
    "recycled_scrap_100pct": "recycled_scrap", "comments": "comments",
    "standard_smelter_name": "standard_name",
}
PRODUCT_KEYS = {
    "product_number": "number", "product_name": "name", "comments": "comment",
    "responder_product_number": "number", "responder_product_name": "name",
    "requester_product_number": "requester_number", "requester_product_name": "requester_name",
}
DECL_KEYS = {"declaration_scope": "scope"}


def row_of(cell):
    return int(re.sub(r"^[A-Z]+", "", cell))


def col_of(cell):
    return re.sub(r"\d+$", "", cell)


def checker_key(fam, ver):
    if fam == "EMRT":
        return "EMRT1" if ver.startswith("1.") else "EMRT2"
    return fam


def checker_params(fam, ver):
    key = checker_key(fam, ver)
    out = dict(CHECKER[key])
    out.update(CHECKER_COMMON)
    out.update(CHECKER_FAMILY.get(key, {}))
    out.update(CHECKER_VERSION.get((fam, ver), {}))
    return out


def release_date(label):
    """ISO date of the second line of the revision label ("Revision 6.5\nApril 25, 2025")."""
    m = re.search(r"([A-Z][a-z]+) (\d{1,2}), (\d{4})", label)
    if not m or m.group(1) not in MONTHS:
        return None
    return f"{int(m.group(3)):04d}-{MONTHS[m.group(1)]:02d}-{int(m.group(2)):02d}"


def build_version(fam, ver, e):
    decl = e["declaration"]
    fields = {"language": e["language_cell"].split("!")[1]}
    for k, v in decl["fields"].items():
        fields[DECL_KEYS.get(k, k)] = v["cell"]
    eff = decl["fields"]["effective_date"]
    val = eff.get("validation", {})
    out = {
        "family": fam,
        "version": ver,
        "blank_template": e["file"],
        "detect": {
            "family_cell": "Revision!B3",
            "family_text": FAMILY_TITLE[fam],
            "version_cell": "Declaration!J3",
            "version_label": e["version_cells"]["Declaration!J3"].split("\n")[0],
        },
        "sheets": e["sheets"],
        "declaration": fields,
        "effective_date_min": "2006-12-31",
        "effective_date_max": None if (fam, ver) in NO_UPPER_DATE else "2026-03-31",
        "release_date": release_date(e["version_cells"]["Declaration!J3"]),
        "checker": checker_params(fam, ver),
    }
    # Minerals: fixed list (rows per mineral) or a selection of slots.
    sel = decl.get("mineral_selection")
    if sel:
        cells = []
        for cell, spec in sel["cells"].items():
            allowed = spec["allowed"]
            mineral = allowed[0] if isinstance(allowed, list) and fam == "EMRT" else None
            cells.append({"cell": cell, "mineral": mineral})
        out["minerals"] = {"kind": "selected", "cells": cells,
                           "other_name_offset_rows": 3 if fam == "AMRT" and ver == "1.3" else None,
                           "other_value": "Other [specify below]" if fam == "AMRT" and ver == "1.3" else None}
    else:
        first = e["questions"][0]["answers"]
        out["minerals"] = {"kind": "fixed", "list": list(first.keys())}
    qs = []
    for q in e["questions"]:
        item = {"id": q["id"], "text_en": q["text_en"].strip()}
        if "slots" in q:
            item["slot_rows"] = [row_of(s["answer"]) for s in q["slots"]]
            item["allowed"] = q["allowed"]
        else:
            item["rows"] = {m: row_of(a["answer"]) for m, a in q["answers"].items()}
            allowed = {}
            for m, a in q["answers"].items():
                allowed[m] = a.get("allowed", q.get("allowed"))
            item["allowed_by_mineral"] = allowed
        qs.append(item)
    out["questions"] = qs
    cqs = []
    for q in e["company_questions"]:
        item = {"id": q["id"], "text_en": q["text_en"].strip()}
        if "slots" in q:
            item["slot_rows"] = [row_of(s["answer"]) for s in q["slots"]]
            item["allowed"] = q["allowed"]
        elif "answers" in q:
            item["rows"] = {m: row_of(a["answer"]) for m, a in q["answers"].items()}
            item["allowed_by_mineral"] = {m: a.get("allowed", q.get("allowed")) for m, a in q["answers"].items()}
        else:
            item["row"] = row_of(q["answer"])
            item["allowed"] = q["allowed"]
        cqs.append(item)
    out["company_questions"] = cqs
    out["answer_col"] = "D"
    out["comment_col"] = "G"

    sl = e["smelter_list"]
    cols = {}
    for letter, c in sl["columns"].items():
        key = SMELTER_KEYS.get(c["key"])
        if key:
            cols[key] = letter
    # From CMRT 6.22 the hidden look-up index matches metal & typed name (column D) for the two
    # special look-up values, so a "not listed" name that is a known alias still gets its CID.
    typed_name_match = fam == "CMRT" and ver not in ("6.01", "6.1")
    out["smelter_list"] = {"sheet": sl["sheet"], "first_data_row": sl["first_data_row"],
                           "last_data_row": sl["last_data_row"], "columns": cols,
                           "special_rows_match_typed_name": typed_name_match}
    pl = e["product_list"]
    out["product_list"] = {"sheet": pl["sheet"], "first_data_row": pl["first_data_row"],
                           "special_rows_match_typed_name": False,
                           "last_data_row": pl["last_data_row"],
                           "columns": {PRODUCT_KEYS[c["key"]]: letter for letter, c in pl["columns"].items()}}
    ml = e.get("mine_list")
    if ml:
        out["mine_list"] = {"sheet": ml["sheet"], "first_data_row": ml["first_data_row"],
                            "special_rows_match_typed_name": False,
                            "last_data_row": ml["last_data_row"],
                            "columns": {c["key"]: letter for letter, c in ml["columns"].items()
                                        if c["key"] in ("metal", "smelter_names", "mine_name", "mine_id",
                                                        "mine_id_source", "mine_country", "mine_street",
                                                        "mine_city", "mine_state_province",
                                                        "mine_contact_name", "mine_contact_email",
                                                        "proposed_next_steps", "comments")}}
    else:
        out["mine_list"] = None
    lk = e.get("smelter_lookup")
    if lk:
        out["smelter_lookup"] = {"sheet": lk["sheet"], "first_data_row": lk["first_data_row"],
                                 "special_rows_match_typed_name": False,
                                 "columns": {c["key"]: letter for letter, c in lk["columns"].items()}}
    else:
        out["smelter_lookup"] = None
    return out


def main():
    here = pathlib.Path(__file__).resolve().parent.parent
    src = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else here.parent / "shared/spec/rmi-cellmap.json"
    data = json.load(open(src))
    versions = []
    for fam, vs in data["families"].items():
        for ver, e in vs.items():
            versions.append(build_version(fam, ver, e))
    # CRT 2.21 prints "Revision 2.2" like 2.2: only the Smelter List look-up formulas tell them apart.
    for v in versions:
        if v["family"] == "CRT":
            v["detect"]["formula_discriminator"] = {"sheet": "Smelter List", "column": "E", "rows": [5, 211],
                                                    "present": v["version"] == "2.21"}
    out = {"_about": "Generated by tools/build_registry.py from the RMI template cell map. "
                     "One entry per template family and version; do not edit by hand.",
           "versions": versions}
    dst = here / "crates/oretrail-template/registry/templates.json"
    dst.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {dst} ({len(versions)} versions)")


if __name__ == "__main__":
    main()
