"""The reconciliation service of `kg serve` (/reconcile, W3C Reconciliation API 0.2) as
OpenRefine uses it: the manifest, query batches by GET and POST, suggest, preview and data
extension, each response checked against the shape the 0.2 specification gives it.

The specification's JSON schemas are not copied into this repository; the shapes below are
written from the specification's text (https://reconciliation-api.github.io/specs/0.2/) and
checked with jsonschema. On 3 December 2026 every response kind was also checked, outside
the repository, against the official schemas of reconciliation-api/specs (0.2/schemas, commit
76328a4d): all valid; these shapes were then made to check extension values' types as they do."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import jsonschema
import pytest

TYPE = {"type": "object", "required": ["id", "name"],
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
SERVICE = {"type": "object", "required": ["service_url", "service_path"],
           "properties": {"service_url": {"type": "string"}, "service_path": {"type": "string"}}}
MANIFEST = {
    "type": "object",
    "required": ["versions", "name", "identifierSpace", "schemaSpace"],
    "properties": {
        "versions": {"type": "array", "items": {"type": "string"}, "contains": {"const": "0.2"}},
        "name": {"type": "string"}, "identifierSpace": {"type": "string"}, "schemaSpace": {"type": "string"},
        "defaultTypes": {"type": "array", "items": TYPE},
        "view": {"type": "object", "required": ["url"], "properties": {"url": {"type": "string", "pattern": "{{id}}"}}},
        "preview": {"type": "object", "required": ["url", "width", "height"],
                    "properties": {"url": {"type": "string", "pattern": "{{id}}"}, "width": {"type": "integer"},
                                   "height": {"type": "integer"}}},
        "suggest": {"type": "object", "properties": {"entity": SERVICE, "type": SERVICE, "property": SERVICE}},
        "extend": {"type": "object", "properties": {"propose_properties": SERVICE,
                                                    "property_settings": {"type": "array"}}},
    },
}
RESULT_BATCH = {
    "type": "object",
    "additionalProperties": {
        "type": "object", "required": ["result"],
        "properties": {"result": {"type": "array", "items": {
            "type": "object", "required": ["id", "name", "score", "match"],
            "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                           "score": {"type": "number", "minimum": 0, "maximum": 100},
                           "match": {"type": "boolean"}, "type": {"type": "array", "items": TYPE}}}}},
    },
}
SUGGEST = {"type": "object", "required": ["result"],
           "properties": {"result": {"type": "array", "items": TYPE}}}
PROPOSE = {"type": "object", "required": ["properties"],
           "properties": {"type": {"type": "string"}, "properties": {"type": "array", "items": TYPE}}}
EXTENSION = {
    "type": "object", "required": ["meta", "rows"],
    "properties": {
        "meta": {"type": "array", "items": TYPE},
        "rows": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": {
            "type": "array", "items": {"oneOf": [
                # 0.2's value kinds: an entity, a string, a number, an integer, a date-time
                {"type": "object", "required": ["id", "name"], "additionalProperties": False,
                 "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
                {"type": "object", "required": ["str"], "additionalProperties": False,
                 "properties": {"str": {"type": "string"}}},
                {"type": "object", "required": ["float"], "additionalProperties": False,
                 "properties": {"float": {"type": "number"}}},
                {"type": "object", "required": ["int"], "additionalProperties": False,
                 "properties": {"int": {"type": "integer"}}},
                {"type": "object", "required": ["date"], "additionalProperties": False,
                 "properties": {"date": {"type": "string", "pattern": "T"}}}]}}}},
    },
}


def _get(base: str, path: str, **params) -> tuple[int, str, bytes, dict]:
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read(), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read(), dict(err.headers)


def _json(base: str, path: str, schema: dict, **params) -> dict:
    status, media, body, _ = _get(base, path, **params)
    assert status == 200 and media.startswith("application/json"), (status, body[:300])
    data = json.loads(body)
    jsonschema.validate(data, schema)
    return data


def _reconcile(base: str, queries: dict, *, post: bool = False) -> dict:
    if not post:
        return _json(base, "/reconcile", RESULT_BATCH, queries=json.dumps(queries))
    data = urllib.parse.urlencode({"queries": json.dumps(queries)}).encode()
    with urllib.request.urlopen(base + "/reconcile", data=data, timeout=30) as response:
        answer = json.loads(response.read())
    jsonschema.validate(answer, RESULT_BATCH)
    return answer


def test_the_manifest_and_jsonp(endpoint):
    manifest = _json(endpoint, "/reconcile", MANIFEST)
    assert {t["id"] for t in manifest["defaultTypes"]} == {"person", "state", "organisation", "place", "conflict",
                                                            "event"}
    assert manifest["view"]["url"] == endpoint + "/id/{{id}}"
    status, media, body, _ = _get(endpoint, "/reconcile", callback="jQuery123_cb")
    assert status == 200 and media.startswith("application/javascript") and body.startswith(b"jQuery123_cb({")
    assert _get(endpoint, "/reconcile", callback="alert(1)//")[0] == 400


@pytest.mark.parametrize("post", [False, True])
def test_names_variants_scripts_and_ucdp_actor_names(endpoint, post):
    answer = _reconcile(endpoint, {
        "q0": {"query": "Schaparov"}, "q1": {"query": "Жапаров", "type": "person"},
        "q2": {"query": "Душанбе"}, "q3": {"query": "Government of Tajikistan", "type": "state"},
        "q4": {"query": "Batken", "type": "place", "limit": 2},
    }, post=post)
    top = {key: value["result"][0] for key, value in answer.items()}
    assert top["q0"]["id"] == top["q1"]["id"] == "person/sadyr-japarov"
    assert not top["q0"]["match"]  # a variant, not the exact preferred name
    assert top["q2"]["id"] == "place/dushanbe" and top["q2"]["match"]
    assert top["q3"]["id"] == "state/tajikistan" and top["q3"]["match"]
    assert top["q4"]["id"] == "place/batken" and top["q4"]["match"] and len(answer["q4"]["result"]) <= 2
    assert all(r["score"] <= 100 for value in answer.values() for r in value["result"])


def test_the_type_filters_and_conditions_move_the_scores(endpoint):
    answer = _reconcile(endpoint, {
        "place": {"query": "Batken", "type": "conflict"},
        "plain": {"query": "Batken"},
        "right": {"query": "Batken", "properties": [{"pid": "country", "v": "Kyrgyzstan"}]},
        "wrong": {"query": "Batken", "properties": [{"pid": "country", "v": "Armenia"}]},
        "ucdp": {"query": "Armenia–Azerbaijan conflict over Nagorno-Karabakh", "type": "conflict",
                 "properties": [{"pid": "ucdp", "v": "388"}]},
    })
    assert all("conflict" in {t["id"] for t in r["type"]} for r in answer["place"]["result"])
    score = {key: next(r["score"] for r in answer[key]["result"] if r["id"] == "place/batken")
             for key in ("plain", "right", "wrong")}
    assert score["wrong"] < score["plain"] <= score["right"]
    assert answer["ucdp"]["result"][0]["id"] == "conflict/armenia-azerbaijan-conflict"
    assert answer["ucdp"]["result"][0]["score"] == 100


def test_bad_requests_get_400(endpoint):
    assert _get(endpoint, "/reconcile", queries="{not json")[0] == 400
    assert _get(endpoint, "/reconcile", queries=json.dumps({"q0": {"query": "x", "type": "planet"}}))[0] == 400
    assert _get(endpoint, "/reconcile/nothing")[0] == 404


def test_suggest_preview_and_extend(endpoint):
    entities = _json(endpoint, "/reconcile/suggest/entity", SUGGEST, prefix="Bat")
    assert "place/batken" in {r["id"] for r in entities["result"]}
    assert _json(endpoint, "/reconcile/suggest/type", SUGGEST, prefix="conf")["result"] == [
        {"id": "conflict", "name": "conflict"}]
    assert {r["id"] for r in _json(endpoint, "/reconcile/suggest/property", SUGGEST, prefix="")["result"]} >= {
        "country", "date", "ucdp", "wikidata"}
    status, media, body, headers = _get(endpoint, "/reconcile/preview", id="person/sadyr-japarov")
    assert status == 200 and media.startswith("text/html") and b"Sadyr Japarov" in body
    assert b"<script" not in body and "default-src 'none'" in headers.get("Content-Security-Policy", "")
    assert _get(endpoint, "/reconcile/preview", id="person/nobody-at-all")[0] == 400
    proposed = _json(endpoint, "/reconcile/extend/propose", PROPOSE, type="place")
    assert {"wikidata", "geonames", "lat", "country"} <= {p["id"] for p in proposed["properties"]}
    extension = _json(endpoint, "/reconcile", EXTENSION, extend=json.dumps(
        {"ids": ["place/batken", "person/vladimir-putin"], "properties": [{"id": "geonames"}, {"id": "wikidata"},
                                                                          {"id": "country"}]}))
    rows = extension["rows"]
    assert rows["place/batken"]["geonames"] == [{"str": "1528735"}]
    assert {"id": "state/kyrgyzstan", "name": "Kyrgyzstan"} in rows["place/batken"]["country"]
    assert rows["person/vladimir-putin"]["wikidata"] == [{"str": "Q7747"}]


def test_an_openrefine_session(endpoint):
    """What OpenRefine does, in order: read the manifest, reconcile a column in batches with a
    type, show a preview of a candidate, then extend the matched rows with identifiers."""
    manifest = _json(endpoint, "/reconcile", MANIFEST)
    column = ["Tajikistan", "Kyrgyzstan", "Armenia", "Government of Azerbaijan", "Georgia"]
    batch = {f"q{i}": {"query": name, "type": "state", "limit": 3} for i, name in enumerate(column)}
    answer = _reconcile(endpoint, batch, post=True)
    matched = [answer[f"q{i}"]["result"][0] for i in range(len(column))]
    assert [m["id"] for m in matched] == ["state/tajikistan", "state/kyrgyzstan", "state/armenia",
                                          "state/azerbaijan", "state/georgia"]
    assert all(m["match"] for m in matched)
    preview = manifest["preview"]["url"].replace(endpoint, "").replace("{{id}}", matched[0]["id"])
    path, _, query = preview.partition("?")
    assert _get(endpoint, path, **dict(urllib.parse.parse_qsl(query)))[0] == 200
    extension = _json(endpoint, "/reconcile", EXTENSION, extend=json.dumps(
        {"ids": [m["id"] for m in matched], "properties": [{"id": "iso"}, {"id": "wikidata"}]}))
    assert extension["rows"]["state/kyrgyzstan"]["iso"] == [{"str": "KG"}]


def test_kg_reconcile_links_a_csv_of_ucdp_actor_names(kg, tmp_path):
    source = tmp_path / "actors.csv"
    source.write_text("row,actor,country\n1,Government of Tajikistan,\n2,Government of Kyrgyzstan,\n"
                      "3,Republic of Abkhazia,Georgia\n4,Government of Tajikistan,\n5,Nobody at all,\n"
                      "6,Batken,Kyrgyzstan\n", encoding="utf-8")
    output, review = tmp_path / "linked.csv", tmp_path / "review.csv"
    result = kg("reconcile", str(source), "--column", "actor", "--country", "country", "--output", str(output),
                "--review", str(review))
    assert result.exit_code == 0, result.output
    assert "6 rows (5 distinct names and conditions)" in result.output and "1 without a candidate" in result.output
    import csv

    rows = list(csv.DictReader(output.open(encoding="utf-8")))
    assert [r["row"] for r in rows] == ["1", "2", "3", "4", "5", "6"]  # every row, in order, its columns kept
    assert rows[0]["kg_entity"] == "https://w3id.org/pskg/id/state/tajikistan" and rows[0]["kg_match"] == "true"
    assert rows[0]["kg_ucdp"] == "131" and rows[1]["kg_ucdp"] == "132"
    assert rows[4]["kg_entity"] == "" and rows[5]["kg_geonames"] == "1528735"
    assert review.read_text(encoding="utf-8").startswith("line,actor,candidates")
    missing = kg("reconcile", str(source), "--column", "name", "--output", str(output))
    assert missing.exit_code == 1 and "--column 'name' is not a column" in missing.output
