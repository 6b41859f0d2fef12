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


# ---------------------------------------------------------------- no English on Spanish pages (issue 19, item 18)


def test_the_un_sdg_scheme_is_named_in_the_readers_language(client: TestClient) -> None:
    """The UN names its SDG scheme in English only: a Spanish page shows the team's editorial translation."""
    spanish = client.get("/ods/16", params={"lang": "es"}, headers=HTML).text
    assert "Sustainable Development Goals Taxonomy" not in spanish
    assert "Taxonomía de los Objetivos de Desarrollo Sostenible" in spanish
    english = client.get("/ods/16", params={"lang": "en"}, headers=HTML).text
    assert "Sustainable Development Goals Taxonomy" in english
    assert "Taxonomía de los Objetivos de Desarrollo Sostenible" not in english


def test_the_query_page_has_no_text_of_the_other_language(client: TestClient) -> None:
    spanish = client.get("/sparql", params={"lang": "es"}, headers=HTML).text
    assert "Each entity type" not in spanish and "Cada tipo de entidad" in spanish
    from graphapp.web.routers.sparql import examples

    example = examples()[0].meta  # each example's description in the reader's language only
    assert f'data-description="{example["description_es"]}"' in spanish and example["description_en"] not in spanish
    english = client.get("/sparql", params={"lang": "en"}, headers=HTML).text
    assert "Each entity type" in english and "Cada tipo de entidad" not in english
    # the editor's own interface (YASGUI) is drawn by JavaScript: tests/test_browser_sparql.py
    assert 'src="/static/translate.js"' in spanish


def test_the_api_page_has_the_site_header_and_speaks_the_readers_language(client: TestClient) -> None:
    from graphapp.web.openapi_es import SUMMARIES_ES, untranslated

    description = client.get("/openapi.json").json()
    assert untranslated(description) == []  # a new or changed summary needs its Spanish (graphapp/web/openapi_es.py)
    spanish = client.get("/docs", params={"lang": "es"}, headers=HTML)
    assert spanish.status_code == 200
    assert '<header class="site">' in spanish.text and 'id="lang-switch"' in spanish.text
    assert 'href="/docs?lang=en" hreflang="en">English</a>' in spanish.text
    assert 'data-openapi="/docs?format=json&amp;lang=es"' in spanish.text
    assert "Descripción OpenAPI" in spanish.text and "OpenAPI description" not in spanish.text
    twin = client.get("/docs", params={"lang": "es", "format": "json"}).json()
    summaries = [op["summary"] for item in twin["paths"].values() for op in item.values() if "summary" in op]
    assert len(summaries) >= 50 and not set(summaries) & set(SUMMARIES_ES)  # none left in English
    assert "Analítica de redes: qué dice cada medida, con enlaces a ellas" in summaries
    assert twin["paths"]["/analitica"]["get"]["tags"] == ["Analítica"]
    english = client.get("/docs", params={"lang": "en"}, headers=HTML)
    assert '<header class="site">' in english.text and 'href="/docs?lang=es" hreflang="es">Español</a>' in english.text
    assert 'data-openapi="/openapi.json"' in english.text and "Descripción OpenAPI" not in english.text
    assert client.get("/docs", params={"lang": "en", "format": "json"}).json() == description
    # the description itself stays one document, in English: a contract programs read
    assert description["paths"]["/analitica"]["get"]["summary"].startswith("Network analytics")


def test_generic_errors_speak_the_readers_language(client: TestClient) -> None:
    cases = [
        ("/nope", {}, 404, "No hay ninguna página en /nope.", "No page at /nope."),
        (
            "/recurso",
            {},
            400,
            "Solicitud no válida: el parámetro «iri» es obligatorio y falta.",
            "Invalid request: query.iri: Field required",
        ),
        (
            "/analitica/centralidad",
            {"red": "nada"},
            400,
            "Solicitud no válida: el parámetro «red» debe ser 'gobierno-abierto' o 'todo'.",
            "Invalid request: query.red: Input should be 'gobierno-abierto' or 'todo'",
        ),
    ]
    english_words = ("No page at", "Invalid request", "Field required", "Input should be")
    for url, params, status, es, en in cases:
        for lang, message in (("es", es), ("en", en)):
            as_json = client.get(url, params={"lang": lang, **params}, headers={"Accept": "application/json"})
            assert as_json.status_code == status and as_json.json() == {"error": status, "message": message}
            page = client.get(url, params={"lang": lang, **params}, headers=HTML)
            assert page.status_code == status and f'<html lang="{lang}">' in page.text
            assert message.replace("'", "&#39;") in page.text
            text = client.get(url, params={"lang": lang, **params})
            assert text.text == f"Error {status}: {message}\n"
            if lang == "es":
                assert not any(w in page.text or w in as_json.text for w in english_words), (url, page.text)
    # the cookie keeps the language, as for every page
    client.get("/", params={"lang": "en"}, headers=HTML)
    assert client.get("/nope", headers={"Accept": "application/json"}).json()["message"] == "No page at /nope."
    client.cookies.clear()
    assert client.post("/ods", headers={"Accept": "application/json"}).json()["message"].startswith("Este método")
