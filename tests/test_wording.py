"""Wording: counted nouns agree with their number, class names are capitalised one way, and the SPARQL and dataset
pages speak the reader's language."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

HTML = {"Accept": "text/html"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_counts_agree_with_their_noun(client: TestClient) -> None:
    home = client.get("/", params={"lang": "es"}, headers=HTML).text
    counted = re.findall(r'<strong id="n-(\w+)">(\d+)</strong> ([^<]+)</div>', home)
    found = {key: (int(n), noun.strip()) for key, n, noun in counted}
    assert found["commitments"][1] == ("compromiso" if found["commitments"][0] == 1 else "compromisos")
    assert found["practices"][1] == ("buena práctica" if found["practices"][0] == 1 else "buenas prácticas")
    components = _text(client.get("/analitica/componentes", params={"lang": "en"}, headers=HTML).text)
    assert not re.search(r"\b1 (components|entities)\b", components)
    assert re.search(r"\d+ components among \d+ entities", components)


def test_class_names_are_capitalised(client: TestClient) -> None:
    body = client.get("/analitica/componentes", params={"lang": "es", "format": "json"}).json()
    labels = {m["class_label"] for c in body["components"] for m in c["top"]}
    assert "Fuente bibliográfica" in labels or "Entidad (PROV)" in labels
    assert all(label[:1] == label[:1].upper() for label in labels), labels
    # the UN's English-only names get a Spanish one: no «Goals», «Tier I» on a Spanish page
    names = {m["label"] for c in body["components"] for m in c["top"]}
    assert "Goals" not in names and "Tier I" not in names
    assert "Nivel I" in names
    goals = client.get("/recurso", params={"iri": "http://metadata.un.org/sdg/Goals", "lang": "es"}, headers=HTML)
    assert goals.status_code == 200 and "Objetivos de Desarrollo Sostenible" in goals.text
    results = client.get("/buscar", params={"q": "encuesta nacional", "format": "json"}).json()["results"]
    assert all(t[:1] == t[:1].upper() for r in results for t in r["types"])


def test_sparql_and_dataset_pages_speak_english_in_english(client: TestClient) -> None:
    sparql = client.get("/sparql", params={"lang": "en"}, headers=HTML).text
    assert "<h1>SPARQL query</h1>" in sparql and "Consulta SPARQL" not in sparql
    assert "pick an example" in sparql and "elija un ejemplo" not in sparql
    dataset = client.get("/dataset", params={"lang": "en"}, headers=HTML).text
    assert "<h1>Data and downloads</h1>" in dataset
    assert "Descargas" not in dataset and "grafos con nombre" not in dataset
    spanish = client.get("/dataset", params={"lang": "es"}, headers=HTML).text
    assert "<h1>Datos y descargas</h1>" in spanish and "Data and downloads</h1>" not in spanish
