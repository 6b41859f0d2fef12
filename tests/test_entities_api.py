"""The staff JSON API: entities are created, read, corrected and retired through the one write path, are seen at
once by /sparql, the entity pages and the practice finder, and every change is in the history and can be undone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graphapp import staff
from graphapp.writes.entities import KINDS, PRACTICE, create_model_for

from .conftest import make_app_client

TOKEN = "entities-api-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ID = "https://w3id.org/gakg/id/"
GA = "https://w3id.org/gakg/ontology#"


def practice(label: str, **more: object) -> dict[str, object]:
    body: dict[str, object] = {
        "label": {"es": label, "en": f"{label} (en)"},
        "place": "municipio/15106",
        "addresses_problem": "desinformacion-para-elegir-bachillerato",
        "solution": {"es": "Un tablero público con la información de cada escuela, actualizado cada mes."},
        "status": "activa",
        "sources": ["cocreacion-desde-lo-local-inai-2020"],
    }
    body.update(more)
    return body


@pytest.fixture(scope="module")
def ana(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("staff") / "staff.json"
    _, token = staff.add(path, "ana.lopez", ["edit"], display_name="Ana López")
    return path, token


@pytest.fixture(scope="module")
def api(ana: tuple[Path, str]) -> Iterator[TestClient]:
    env = {"GRAPHAPP_WRITE_RATE": "1000/minute", "GRAPHAPP_STAFF_FILE": str(ana[0])}
    with make_app_client(env, update_token=TOKEN) as client:
        yield client


def sparql_labels(api: TestClient, iri: str) -> set[str]:
    query = f"SELECT ?l WHERE {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    r = api.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return {b["l"]["value"] for b in r.json()["results"]["bindings"]}


def finder_hits(api: TestClient, q: str) -> list[str]:
    r = api.get("/api/practices/search", params={"q": q})
    assert r.status_code == 200, r.text
    return [hit["iri"] for hit in r.json()["results"]]


def history(api: TestClient, ref: str) -> list[dict[str, object]]:
    r = api.get(f"/api/history/{ref}")
    assert r.status_code == 200, r.text
    return r.json()["changes"]


# ---------------------------------------------------------------- the life of a practice


def test_create_read_update_retire_a_practice(api: TestClient) -> None:
    body = practice(
        "Tablero de bachilleratos de Zinacantepec",
        themes=["eleccion-escolar"],
        contributes_to=["4"],
        description="Zinacantepec publica un tablero con la oferta de bachilleratos, sus cupos y resultados.",
    )
    r = api.post("/api/entities/practice", json=body, headers=AUTH, params={"source": "https://example.org/oficio/7"})
    assert r.status_code == 201, r.text
    slug = "tablero-de-bachilleratos-de-zinacantepec"
    iri = ID + "practica/" + slug
    assert r.headers["location"] == f"/api/entities/practice/{slug}"
    created = r.json()
    assert created["iri"] == iri and created["kind"] == "practice" and created["href"] == f"/id/practica/{slug}"
    assert created["place"] == ID + "municipio/15106"
    assert created["status"] == ID + "estado-vigencia/activa"
    assert created["themes"] == [ID + "tema/eleccion-escolar"]
    assert created["contributes_to"] == ["http://metadata.un.org/sdg/4"]
    assert created["retired"] is None and created["source_data"] is False
    assert isinstance(created["change"]["id"], int) and created["change"]["added"] >= 9

    read = api.get(f"/api/entities/practice/{slug}").json()
    assert {k: v for k, v in read.items()} == {k: v for k, v in created.items() if k != "change"}

    # seen at once by /sparql, the entity page and the finder
    assert sparql_labels(api, iri) >= {"Tablero de bachilleratos de Zinacantepec"}
    page = api.get(f"/id/practica/{slug}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Tablero de bachilleratos de Zinacantepec" in page.text
    assert iri in finder_hits(api, "tablero de bachilleratos en Zinacantepec")

    # correct the solution only: the other fields stay
    r = api.patch(
        f"/api/entities/practice/{slug}",
        json={"solution": {"es": "Un tablero abierto, actualizado cada semana.", "en": "An open board, weekly."}},
        headers=AUTH,
    )
    assert r.status_code == 200, r.text
    updated = r.json()
    assert updated["solution"] == {"es": "Un tablero abierto, actualizado cada semana.", "en": "An open board, weekly."}
    assert updated["place"] == created["place"] and updated["themes"] == created["themes"]
    assert updated["change"]["removed"] == 1 and updated["change"]["added"] == 2

    # retire it: it stays, with its history, and the finder no longer offers it
    r = api.post(
        f"/api/entities/practice/{slug}/retirar",
        json={"date": "2025-06-30", "reason": {"es": "Se fusionó con otra práctica.", "en": "Merged into another."}},
        headers=AUTH,
    )
    assert r.status_code == 200, r.text
    assert r.json()["retired"] == {
        "on": "2025-06-30",
        "note": {"es": "Se fusionó con otra práctica.", "en": "Merged into another."},
    }
    assert api.get(f"/api/entities/practice/{slug}").status_code == 200
    assert iri not in finder_hits(api, "tablero de bachilleratos en Zinacantepec")
    assert sparql_labels(api, iri)  # still in the graph
    again = api.post(f"/api/entities/practice/{slug}/retirar", json={"reason": "otra vez"}, headers=AUTH)
    assert again.status_code == 409

    changes = history(api, f"practica/{slug}")
    assert [c["method"] for c in changes] == ["retire", "api", "api"]  # newest first
    assert {c["actor"] for c in changes} == {"update-token"}
    assert changes[-1]["source"] == "https://example.org/oficio/7"
    assert any(GA + "retiredOn" in line for line in changes[0]["added"])
    assert history(api, iri) == changes == history(api, slug)
    # each change is also PROV-O: an activity by its actor, using its source, influencing the entity
    prov = changes[-1]["prov"]
    assert prov["@type"] == "prov:Activity"
    assert prov["prov:wasAssociatedWith"]["@id"].endswith("/personal/update-token")
    assert prov["prov:used"] == {"@id": "https://example.org/oficio/7"}
    assert {"@id": iri} in prov["prov:influenced"]

    # reverting the retirement brings the practice back to the finder
    r = api.post(f"/api/changes/{changes[0]['id']}/revert", headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json()["change"]["method"] == "revert" and r.json()["change"]["reverts"] == changes[0]["id"]
    assert api.get(f"/api/entities/practice/{slug}").json()["retired"] is None
    assert iri in finder_hits(api, "tablero de bachilleratos en Zinacantepec")


def test_the_actor_is_the_staff_member(api: TestClient, ana: tuple[Path, str]) -> None:
    r = api.post(
        "/api/entities/problem",
        json={"label": "Falta de alumbrado en el centro de Zinacantepec", "place": "municipio/15118"},
        headers={"Authorization": f"Bearer {ana[1]}"},
    )
    assert r.status_code == 201, r.text
    assert [c["actor"] for c in history(api, "problema/falta-de-alumbrado-en-el-centro-de-zinacantepec")] == [
        "ana.lopez"
    ]


def test_revert_restores_the_previous_state(api: TestClient) -> None:
    r = api.post(
        "/api/entities/activity",
        json={"label": "Taller de datos abiertos", "description": "Un taller para el personal.", "ordinal": 1},
        headers=AUTH,
    )
    assert r.status_code == 201, r.text
    before = r.json()
    r = api.patch(
        "/api/entities/activity/taller-de-datos-abiertos",
        json={"description": {"es": "Dos talleres.", "en": "Two workshops."}, "ordinal": None},
        headers=AUTH,
    )
    assert r.status_code == 200 and r.json()["ordinal"] is None
    update_id = r.json()["change"]["id"]
    r = api.post(f"/api/changes/{update_id}/revert", headers=AUTH)
    assert r.status_code == 200, r.text
    after = api.get("/api/entities/activity/taller-de-datos-abiertos").json()
    assert after == {k: v for k, v in before.items() if k != "change"}
    entry = api.get(f"/api/changes/{update_id}").json()
    assert entry["reverted_by"] == r.json()["change"]["id"] and entry["method"] == "api"
    assert api.post(f"/api/changes/{update_id}/revert", headers=AUTH).status_code == 409
    assert api.post("/api/changes/999999/revert", headers=AUTH).status_code == 404
    assert api.get("/api/changes/999999").status_code == 404


def test_a_patch_keeps_the_values_it_repeats(api: TestClient) -> None:
    body = {"label": {"es": "Taller de datos", "en": "Data workshop"}}
    assert api.post("/api/entities/activity", json=body, headers=AUTH).status_code == 201
    r = api.patch(
        "/api/entities/activity/taller-de-datos",
        json={"label": {"es": "Taller de datos", "en": "Open data workshop"}},
        headers=AUTH,
    )
    assert r.status_code == 200, r.text
    assert r.json()["label"] == {"es": "Taller de datos", "en": "Open data workshop"}
    assert (r.json()["change"]["added"], r.json()["change"]["removed"]) == (1, 1)  # only the English name


def test_a_patch_that_changes_nothing_answers_the_entity(api: TestClient) -> None:
    assert api.post("/api/entities/activity", json={"label": "Foro vecinal"}, headers=AUTH).status_code == 201
    r = api.patch("/api/entities/activity/foro-vecinal", json={}, headers=AUTH)
    assert r.status_code == 200 and r.json()["change"]["id"] is None


# ---------------------------------------------------------------- refused writes change nothing


def test_a_shape_violation_names_the_field_and_writes_nothing(api: TestClient) -> None:
    n = len(api.get("/api/history/practica/reubicacion-ladrilleras-durango").json()["changes"])
    before = api.get("/dataset").status_code
    r = api.post("/api/entities/practice", json=practice("Práctica inactiva sin año", status="inactiva"), headers=AUTH)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/json")
    violations = r.json()["violations"]
    assert {"field": "status", "shape": "BestPractice-inactiveSince"}.items() <= violations[0].items()
    assert violations[0]["message"].startswith("Una práctica inactiva")
    assert api.get("/api/entities/practice/practica-inactiva-sin-ano").status_code == 404
    assert api.get("/api/history/practica/practica-inactiva-sin-ano").status_code == 404
    assert len(api.get("/api/history/practica/reubicacion-ladrilleras-durango").json()["changes"]) == n
    assert before == 200


def test_a_label_without_spanish_breaks_its_shape_in_the_callers_language(api: TestClient) -> None:
    body = {**practice("x"), "label": {"en": "Only in English"}, "slug": "solo-en-ingles"}
    r = api.post("/api/entities/practice", json=body, headers={**AUTH, "Accept-Language": "en-GB,en;q=0.9"})
    assert r.status_code == 400, r.text
    (v,) = r.json()["violations"]
    assert (v["field"], v["shape"]) == ("label", "SpanishLabel-label")
    assert v["message"].startswith("Missing Spanish label")
    r = api.post("/api/entities/practice", json=body, headers=AUTH, params={"lang": "es"})
    assert r.json()["violations"][0]["message"].startswith("Falta la etiqueta en español")


def test_unknown_field_and_wrong_type_are_400(api: TestClient) -> None:
    r = api.post("/api/entities/practice", json=practice("Con un campo de más", color="rojo"), headers=AUTH)
    assert r.status_code == 400
    assert [(v["field"], v["code"]) for v in r.json()["violations"]] == [("color", "extra_forbidden")]
    r = api.post("/api/entities/practice", json=practice("Con un año malo", inactive_since="hace mucho"), headers=AUTH)
    assert r.status_code == 400
    assert [v["field"] for v in r.json()["violations"]] == ["inactive_since"]
    r = api.post("/api/entities/practice", json=practice("Con fuentes sueltas", sources="una"), headers=AUTH)
    assert r.status_code == 400 and r.json()["violations"][0]["field"] == "sources"
    r = api.post("/api/entities/practice", json={"label": "Sin nada más"}, headers=AUTH)
    assert r.status_code == 400
    assert {v["field"] for v in r.json()["violations"]} == {
        "place",
        "addresses_problem",
        "solution",
        "status",
        "sources",
    }
    r = api.post("/api/entities/practice", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 400
    r = api.post("/api/entities/practice", content=b"x", headers={**AUTH, "Content-Type": "text/csv"})
    assert r.status_code == 400


def test_references_must_name_entities_of_the_graph(api: TestClient) -> None:
    r = api.post("/api/entities/practice", json=practice("Fuera", place="https://example.org/lugar"), headers=AUTH)
    assert r.status_code == 400
    assert [(v["field"], v["code"]) for v in r.json()["violations"]] == [("place", "outside-namespace")]
    r = api.post("/api/entities/practice", json=practice("En Marte", place="marte"), headers=AUTH)
    assert [(v["field"], v["code"]) for v in r.json()["violations"]] == [("place", "unknown-reference")]
    r = api.post("/api/entities/practice", json=practice("Mal tipo", status="fuente/enaid-2019"), headers=AUTH)
    assert [(v["field"], v["code"]) for v in r.json()["violations"]] == [("status", "wrong-kind")]
    assert api.get("/api/entities/practice/fuera").status_code == 404


def test_an_iri_already_taken_is_409(api: TestClient) -> None:
    r = api.post(
        "/api/entities/practice", json=practice("Duplicada", slug="reubicacion-ladrilleras-durango"), headers=AUTH
    )
    assert r.status_code == 409 and "reubicacion-ladrilleras-durango" in r.json()["message"]


def test_source_data_is_read_but_not_changed(api: TestClient) -> None:
    r = api.get("/api/entities/practice/reubicacion-ladrilleras-durango")
    assert r.status_code == 200
    durango = r.json()
    assert durango["source_data"] is True and durango["status"] == ID + "estado-vigencia/no-reportado"
    assert durango["label"]["es"] == "Reubicación de las ladrilleras de Durango"
    r = api.patch("/api/entities/practice/reubicacion-ladrilleras-durango", json={"solution": "Otra."}, headers=AUTH)
    assert r.status_code == 403 and "data/" in r.json()["message"]
    r = api.post("/api/entities/practice/reubicacion-ladrilleras-durango/retirar", json={"reason": "no"}, headers=AUTH)
    assert r.status_code == 403
    assert api.get("/api/entities/practice/reubicacion-ladrilleras-durango").json() == durango
    assert api.get("/api/history/practica/reubicacion-ladrilleras-durango").json()["changes"] == []


def test_writes_need_a_token(api: TestClient) -> None:
    slug = "reubicacion-ladrilleras-durango"
    for method, url in (
        ("POST", "/api/entities/practice"),
        ("PATCH", f"/api/entities/practice/{slug}"),
        ("POST", f"/api/entities/practice/{slug}/retirar"),
        ("POST", "/api/changes/1/revert"),
    ):
        r = api.request(method, url, json={"label": "x"})
        assert r.status_code == 401, (method, url)
        assert r.headers["www-authenticate"].startswith("Bearer")
        r = api.request(method, url, json={"label": "x"}, headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 403, (method, url)
    assert api.get("/api/entities/problem/x-no-existe").status_code == 404
    assert api.get("/api/entities/nothing/x").status_code == 400


# ---------------------------------------------------------------- Turtle and JSON-LD


def test_create_from_turtle(api: TestClient) -> None:
    turtle = f"""
        @prefix ga: <{GA}> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        <{ID}problema/inundaciones-en-chalco> a ga:Problem ;
            rdfs:label "Inundaciones en Chalco"@es , "Floods in Chalco"@en ;
            dcterms:spatial <{ID}entidad/estado-de-mexico> .
    """
    r = api.post("/api/entities/problem", content=turtle.encode(), headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 201, r.text
    assert r.json()["label"] == {"es": "Inundaciones en Chalco", "en": "Floods in Chalco"}
    assert r.json()["place"] == ID + "entidad/estado-de-mexico"
    outside = turtle.replace(f"{ID}problema/inundaciones-en-chalco", "https://example.org/problema/x")
    r = api.post("/api/entities/problem", content=outside.encode(), headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 400 and r.json()["violations"][0]["code"] == "outside-namespace"
    other = turtle.replace("inundaciones-en-chalco", "inundaciones-en-ecatepec").replace("ga:Problem", "ga:Law")
    r = api.post("/api/entities/problem", content=other.encode(), headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 400 and r.json()["violations"][0]["code"] == "type"
    broken = b"<a> <b> ."
    r = api.post("/api/entities/problem", content=broken, headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 400 and r.json()["violations"][0]["code"] == "syntax"


def test_create_from_json_ld(api: TestClient) -> None:
    doc = {
        "@context": {"ga": GA, "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "org": "http://www.w3.org/ns/org#"},
        "@id": ID + "organizacion/colectivo-ciudad-abierta-a-c",
        "@type": "ga:CivilSocietyOrganization",
        "rdfs:label": {"@value": "Colectivo Ciudad Abierta A.C.", "@language": "es"},
        "ga:acronym": "CCA",
        "ga:jurisdiction": {"@id": ID + "entidad/estado-de-mexico"},
    }
    r = api.post(
        "/api/entities/organisation",
        content=json.dumps(doc).encode(),
        headers={**AUTH, "Content-Type": "application/ld+json"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["acronym"] == "CCA" and r.json()["slug"] == "colectivo-ciudad-abierta-a-c"
    doc["@id"] = ID + "organizacion/otra"
    doc["ga:colour"] = "rojo"
    r = api.post(
        "/api/entities/organisation",
        content=json.dumps(doc).encode(),
        headers={**AUTH, "Content-Type": "application/ld+json"},
    )
    assert r.status_code == 400 and r.json()["violations"][0]["code"] == "unknown-property"
    remote = json.dumps({"@context": "https://schema.org/", "@id": ID + "organizacion/x", "name": "x"}).encode()
    r = api.post("/api/entities/organisation", content=remote, headers={**AUTH, "Content-Type": "application/ld+json"})
    assert r.status_code == 400  # a remote context is never fetched


# ---------------------------------------------------------------- the declarations


def test_the_declarations_are_published(api: TestClient) -> None:
    kinds = {k["kind"]: k for k in api.get("/api/entities").json()["kinds"]}
    assert set(kinds) == set(KINDS) == {
        "practice", "organisation", "institution", "commitment", "key-action", "activity", "problem", "local-exercise",
        "source",
    }  # fmt: skip
    source = {f["name"]: f for f in kinds["source"]["fields"]}
    assert kinds["source"]["class"] == "http://purl.org/dc/terms/BibliographicResource"
    assert kinds["source"]["segment"] == "fuente" and kinds["source"]["plural"] == "sources"
    assert source["url"]["predicate"] == "https://schema.org/url" and source["issued"]["or_year"] is True
    fields = {f["name"]: f for f in kinds["practice"]["fields"]}
    assert kinds["practice"]["segment"] == "practica" and kinds["practice"]["class"] == GA + "BestPractice"
    assert fields["place"]["header"] == "lugar" and fields["place"]["required"] is True
    assert {n for n, f in fields.items() if f["required"]} == {
        "label", "place", "addresses_problem", "solution", "status", "sources",
    }  # fmt: skip
    schema = create_model_for(PRACTICE).model_json_schema()
    assert schema["additionalProperties"] is False and "slug" in schema["properties"]


def test_institutions_take_their_types_by_label(api: TestClient) -> None:
    r = api.post(
        "/api/entities/institution",
        json={"label": "Ayuntamiento de Zinacantepec", "types": ["Ayuntamiento", "Sujeto obligado"],
              "governs": "15118", "jurisdiction": "municipio/15118"},
        headers=AUTH,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["types"] == [GA + "Ayuntamiento", GA + "ObligatedSubject"]
    infoem = api.get("/api/entities/institution/infoem").json()
    assert infoem["acronym"] == "INFOEM" and GA + "GuarantorBody" in infoem["types"]


# ---------------------------------------------------------------- source documents


def test_a_source_document(api: TestClient) -> None:
    body = {
        "label": {"es": "Informe anual del INFOEM (2023)", "en": "INFOEM annual report (2023)"},
        "title": "Informe anual de actividades 2023",
        "publisher": "institucion/infoem",
        "creators": ["institucion/infoem"],
        "issued": "2024-03-15",
        "url": "https://example.org/infoem/informe-2023.pdf",
        "accessed_on": "2025-01-20",
    }
    r = api.post("/api/entities/source", json=body, headers=AUTH)
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/api/entities/source/informe-anual-del-infoem-2023"
    source = r.json()
    assert source["iri"] == ID + "fuente/informe-anual-del-infoem-2023" and source["change"]["warnings"] == []
    assert source["publisher"] == ID + "institucion/infoem" and source["issued"] == "2024-03-15"
    turtle = api.get("/id/fuente/informe-anual-del-infoem-2023.ttl").text  # as the presentation's sources
    assert "dcterms:BibliographicResource" in turtle and "xsd:anyURI" in turtle and "xsd:date" in turtle
    # a bare year is an xsd:gYear, as most sources of the presentation have it
    r = api.patch("/api/entities/source/informe-anual-del-infoem-2023", json={"issued": 2024}, headers=AUTH)
    assert r.status_code == 200 and r.json()["issued"] == "2024"
    assert "xsd:gYear" in api.get("/id/fuente/informe-anual-del-infoem-2023.ttl").text
    # what is not a date, not an address, or the address of another source
    bad = api.post("/api/entities/source", json={"label": "Otro", "issued": "ayer"}, headers=AUTH)
    assert bad.status_code == 400 and [v["field"] for v in bad.json()["violations"]] == ["issued"]
    bad = api.post("/api/entities/source", json={"label": "Otro", "url": "ftp://example.org/x"}, headers=AUTH)
    assert bad.status_code == 400 and [(v["field"], v["code"]) for v in bad.json()["violations"]] == [("url", "link")]
    taken = api.post("/api/entities/source", json={**body, "label": "Copia"}, headers=AUTH)
    assert taken.status_code == 409 and "informe-anual-del-infoem-2023" in taken.json()["message"]
    assert api.get("/api/entities/source/copia").status_code == 404
    # the presentation's own sources are read, not changed
    enaid = api.get("/api/entities/source/enaid-2019").json()
    assert enaid["source_data"] is True and enaid["issued"] == "2019"
    assert api.patch("/api/entities/source/enaid-2019", json={"title": "x"}, headers=AUTH).status_code == 403


def test_a_web_address_as_a_source_makes_a_source_then_reuses_it(api: TestClient) -> None:
    address = "https://example.org/gaceta/2024/18"
    r = api.post(
        "/api/entities/practice", json=practice("Gaceta abierta de Tlalnepantla", sources=[address]), headers=AUTH
    )
    assert r.status_code == 201, r.text
    (made,) = r.json()["sources"]
    assert made.startswith(ID + "fuente/example-org-gaceta-2024-18-")
    source = api.get("/api/entities/source/" + made.rsplit("/", 1)[1]).json()
    assert source["url"] == address and source["label"] == {"es": address, "en": address}
    assert source["source_data"] is False
    # the same address again names the same source, in a correction too
    r = api.post(
        "/api/entities/practice", json=practice("Gaceta en línea de Tlalnepantla", sources=[address]), headers=AUTH
    )
    assert r.status_code == 201 and r.json()["sources"] == [made]
    r = api.patch(
        "/api/entities/practice/gaceta-en-linea-de-tlalnepantla",
        json={"sources": [address, "cocreacion-desde-lo-local-inai-2020"]},
        headers=AUTH,
    )
    assert r.status_code == 200 and made in r.json()["sources"] and len(r.json()["sources"]) == 2
    assert len(api.get("/api/history/" + made[len(ID) :]).json()["changes"]) == 1
    # where no source is expected, an address outside the graph is still refused
    r = api.post("/api/entities/practice", json=practice("Fuera de nuevo", place=address), headers=AUTH)
    assert [(v["field"], v["code"]) for v in r.json()["violations"]] == [("place", "outside-namespace")]
