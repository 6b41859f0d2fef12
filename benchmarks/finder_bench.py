"""Practice-finder benchmark: quality of the candidate methods and speed, against a naive SPARQL REGEX peer.

1. Quality, on the shipped data and tests/finder_eval.json: top-1 accuracy on the paraphrases and false-match rate
   on the unrelated problems, for four methods: the naive peer (``queries/finder-naive-regex.rq``: practices whose
   texts contain any query word, ranked by the number of matching texts), plain BM25 over folded stems, the coverage
   score over folded stems (no thesaurus), and the shipped method (coverage + thesaurus themes + SDGs). Each is
   shown over a sweep of thresholds; the shipped threshold is marked.
2. Speed, at the shipped size and with 10,000 synthetic practices (``https://w3id.org/gakg/synthetic/``, written as
   Turtle into a temporary copy of data/): the finder's ranking alone, the whole API request (``TestClient``: ranking,
   cards, JSON) and the peer REGEX query over the same store, for every query of the evaluation set. Cards are
   cached per graph version, so the API is timed cold (first request of each query) and warm.

Results replace the generated sections of docs/finder.md (between ``<!-- bench:... -->`` markers). Not part of the
test suite: ``.venv/bin/python benchmarks/finder_bench.py [--practices 10000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from fastapi.testclient import TestClient

from graphapp.config import PROJECT_ROOT, Settings
from graphapp.finder import STOPWORDS, THRESHOLD, PracticeIndex
from graphapp.index import fold
from graphapp.store import GraphStore
from graphapp.web.app import create_app

EVAL = PROJECT_ROOT / "tests" / "finder_eval.json"
DOC = PROJECT_ROOT / "docs" / "finder.md"
SYNTHETIC = "https://w3id.org/gakg/synthetic/"
SWEEP = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6)


def _queries() -> list[dict]:
    return json.loads(EVAL.read_text(encoding="utf-8"))["queries"]


# ---------------------------------------------------------------- quality


def _regex_pattern(q: str) -> str:
    """Any word of three letters or more, as typed (the peer knows nothing of accents or stems)."""
    words = [w for w in re.findall(r"\w+", q.lower()) if len(w) >= 3 and fold(w) not in STOPWORDS]
    return "|".join(re.escape(w) for w in words) or "^$"


def regex_search(store: GraphStore, q: str) -> list[str]:
    rows = store.select("finder-naive-regex", {"pattern": _regex_pattern(q)})
    return [str(r["practice"]) for r in rows]


LENGTHS = ("short", "sentence", "paragraph")


def length_of(q: str) -> str:
    """A description's length class by its words: short (≤ 6), sentence (7–15), paragraph (16 or more)."""
    n = len(re.findall(r"\w+", q))
    return "short" if n <= 6 else "sentence" if n <= 15 else "paragraph"


def _rate(queries: list[dict], ranked: Callable[[dict], list[str]]) -> tuple[float, float, int, int]:
    """(top-1 accuracy, false-match rate, positives, negatives); a rate is nan where there is nothing to count."""
    positives = [q for q in queries if q["expected"]]
    negatives = [q for q in queries if not q["expected"]]
    top1 = sum(1 for q in positives if (r := ranked(q)) and r[0] == q["expected"])
    false = sum(1 for q in negatives if ranked(q))
    nan = float("nan")
    return (
        top1 / len(positives) if positives else nan,
        false / len(negatives) if negatives else nan,
        len(positives),
        len(negatives),
    )


Row = tuple[str, float | None, dict[str, tuple[float, float, int, int]]]


def _groups(queries: list[dict]) -> dict[str, list[dict]]:
    """The parts of the evaluation set each rate is reported on: by split, and the held-out part by length."""
    out = {split: [q for q in queries if q.get("split", "tune") == split] for split in ("tune", "holdout")}
    for length in LENGTHS:
        out[length] = [q for q in queries if length_of(q["q"]) == length]
    out["all"] = queries
    return out


METHODS = {
    "BM25 over folded stems": {"expand": False, "scoring": "bm25"},
    "coverage over folded stems": {"expand": False, "scoring": "coverage"},
    "coverage + thesaurus + SDGs, every word weighs (before)": {"unknown_cap": math.inf},
    "coverage + thesaurus + SDGs, filler capped (shipped)": {},
}


def quality(store: GraphStore, index: PracticeIndex, queries: list[dict]) -> list[Row]:
    """(method, threshold, {group: rates}) rows."""
    groups = _groups(queries)
    rows: list[Row] = []

    def regex(q: dict) -> list[str]:
        return regex_search(store, q["q"])

    rows.append(("naive SPARQL REGEX (peer)", None, {g: _rate(qs, regex) for g, qs in groups.items()}))
    for name, options in METHODS.items():
        for threshold in SWEEP:
            ranking: dict[str, list[str]] = {}

            def ranked(q: dict, options: dict = options, threshold: float = threshold, memo: dict = ranking) -> list:
                if q["q"] not in memo:
                    memo[q["q"]] = [h.iri for h in index.search(q["q"], threshold=threshold, **options).hits]
                return memo[q["q"]]

            rows.append((name, threshold, {g: _rate(qs, ranked) for g, qs in groups.items()}))
    return rows


# ---------------------------------------------------------------- synthetic practices

_FILLER_ES_TEXT = (
    "vecinos colonia municipio calle servicio atención reporte seguimiento comité mesa diálogo acuerdo programa "
    "difusión capacitación presupuesto obra mantenimiento encuesta padrón convenio plataforma registro cabildo "
    "regidores jóvenes mujeres familias comerciantes escuelas empresas organizaciones dependencias"
)
_FILLER_EN_TEXT = (
    "residents neighbourhood municipality street service support report follow-up committee dialogue agreement "
    "programme outreach training budget works maintenance survey register platform council youth women families "
    "traders schools companies organisations agencies"
)
_FILLER_ES, _FILLER_EN = _FILLER_ES_TEXT.split(), _FILLER_EN_TEXT.split()


def _ttl(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def write_synthetic(folder: Path, count: int, index: PracticeIndex, seed: int = 7) -> Path:
    """``count`` best practices (with problems and benefits) in the synthetic namespace, as one Turtle file.

    Their texts mix thesaurus labels (so that queries match many of them) with everyday municipal words."""
    rng = random.Random(seed)
    themes = sorted(index.themes)
    places = [f"https://w3id.org/gakg/id/entidad/{s}" for s in ("durango", "jalisco", "veracruz", "estado-de-mexico")]
    statuses = [f"https://w3id.org/gakg/id/estado-vigencia/{s}" for s in ("activa", "inactiva", "no-reportado")]
    lines = [
        "@prefix ga: <https://w3id.org/gakg/ontology#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        f"@prefix syn: <{SYNTHETIC}> .",
        "",
    ]
    for i in range(count):
        chosen = rng.sample(themes, rng.choice((1, 1, 2)))
        topic_es = [rng.choice([index.themes[t].label("es"), *index.themes[t].alt.get("es", [])]) for t in chosen]
        topic_en = [rng.choice([index.themes[t].label("en"), *index.themes[t].alt.get("en", [])]) for t in chosen]
        filler_es = " ".join(rng.sample(_FILLER_ES, 6))
        filler_en = " ".join(rng.sample(_FILLER_EN, 6))
        p, prob = f"syn:practica-{i:05d}", f"syn:problema-{i:05d}"
        status = rng.choice(statuses)
        lines += [
            f"{p} a ga:BestPractice ;",
            f'    rdfs:label "Práctica {i}: {_ttl(topic_es[0])}"@es , "Practice {i}: {_ttl(topic_en[0])}"@en ;',
            f"    dcterms:spatial <{rng.choice(places)}> ;",
            f"    ga:addressesProblem {prob} ;",
            f'    ga:solution "Se atendió {_ttl(" y ".join(topic_es))} con {filler_es}."@es ,',
            f'        "{_ttl(" and ".join(topic_en))} was tackled with {filler_en}."@en ;',
            f"    ga:benefit syn:beneficio-{i:05d} ;",
            f"    ga:status <{status}> ;",
            *(['    ga:inactiveSince "2019"^^xsd:gYear ;'] if status.endswith("/inactiva") else []),
            "    dcterms:source <https://w3id.org/gakg/id/fuente/cocreacion-desde-lo-local-inai-2020> ;",
            "    dcterms:subject " + " , ".join(f"<{t}>" for t in chosen) + " .",
            f"{prob} a ga:Problem ;",
            f'    rdfs:label "{_ttl(topic_es[-1])} en {rng.choice(_FILLER_ES)}"@es , "{_ttl(topic_en[-1])}"@en .',
            f"syn:beneficio-{i:05d} a ga:Benefit ;",
            f'    rdfs:label "{rng.randint(10, 5000)} {rng.choice(_FILLER_ES)} atendidos"@es ;',
            f'    ga:quantity "{rng.randint(10, 5000)}"^^xsd:integer ; ga:quantityUnit "personas"@es .',
            "",
        ]
    path = folder / "synthetic" / "practicas.ttl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# ---------------------------------------------------------------- speed


def _ms(samples: list[float]) -> dict[str, float]:
    data = sorted(samples)
    return {
        "p50": statistics.median(data) * 1000,
        "p95": data[max(0, round(0.95 * len(data)) - 1)] * 1000,
        "max": data[-1] * 1000,
    }


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def speed(settings: Settings, queries: list[dict], rounds: int, peer_every: int = 1) -> dict[str, object]:
    """Ranking, API (cold and warm) and peer timings on the data ``settings`` point at. The peer, slow on large
    data, runs once on every ``peer_every``-th query."""
    started = time.perf_counter()
    store = GraphStore.from_settings(settings)
    load = time.perf_counter() - started
    build_start = time.perf_counter()
    index = PracticeIndex.build(store)
    build = time.perf_counter() - build_start
    texts = [q["q"] for q in queries]
    ranking = [_timed(lambda q=q: index.search(q)) for _ in range(rounds) for q in texts]
    peer_rounds = rounds if peer_every == 1 else 1
    peer = [_timed(lambda q=q: regex_search(store, q)) for _ in range(peer_rounds) for q in texts[::peer_every]]
    with TestClient(create_app(Settings.from_env({}, data_dir=settings.data_dir, workers=1))) as client:
        client.get("/api/practices/search", params={"q": "warm-up"})  # builds the index once for this version

        def ask(q: str) -> dict:
            return client.get("/api/practices/search", params={"q": q}).json()

        cold = [_timed(lambda q=q: ask(q)) for q in texts]
        warm = [_timed(lambda q=q: ask(q)) for _ in range(rounds) for q in texts]
        hits = [len(ask(q)["results"]) for q in texts]
    return {
        "practices": len(index.practices),
        "triples": len(store),
        "load_s": load,
        "index_build_s": build,
        "ranking": _ms(ranking),
        "api_cold": _ms(cold),
        "api_warm": _ms(warm),
        "peer": _ms(peer),
        "results_per_query": statistics.mean(hits),
        "peer_queries": len(texts[::peer_every]) * peer_rounds,
    }


# ---------------------------------------------------------------- report


def _replace(doc: str, name: str, body: str) -> str:
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    if start not in doc or end not in doc:
        return doc + f"\n{start}\n{body}\n{end}\n"
    head, rest = doc.split(start, 1)
    return head + start + "\n" + body + "\n" + end + rest.split(end, 1)[1]


def _cell(rates: tuple[float, float, int, int]) -> str:
    top1, false, _, _ = rates
    show = lambda x: "–" if math.isnan(x) else f"{x:.2f}"  # noqa: E731
    return f"{show(top1)} / {show(false)}"


def render_quality(rows: list[Row], queries: list[dict]) -> str:
    groups = _groups(queries)
    counts = {g: _rate(qs, lambda q: [])[2:] for g, qs in groups.items()}
    heads = ["tune", "holdout", *LENGTHS, "all"]
    out = [
        "Evaluation set (`tests/finder_eval.json`): "
        + ", ".join(f"{g} {counts[g][0]} descriptions with an answer + {counts[g][1]} unrelated" for g in heads)
        + ". Each cell: top-1 accuracy / false-match rate (– where the part has nothing to count).",
        "",
        "| method | threshold | " + " | ".join(heads) + " |",
        "|---|---:|" + "---:|" * len(heads),
    ]
    for name, threshold, rates in rows:
        mark = " **(shipped)**" if threshold == THRESHOLD and "shipped" in name else ""
        shown = "any hit" if threshold is None else f"{threshold:.2f}{mark}"
        out.append(f"| {name} | {shown} | " + " | ".join(_cell(rates[g]) for g in heads) + " |")
    return "\n".join(out)


def render_speed(results: dict[str, dict], rounds: int) -> str:
    out = [
        f"Each of the {len(_queries())} evaluation queries, {rounds} rounds (API cold: once; the peer on large data:"
        " once, on a quarter of the queries). Times in ms; results per query: practices above the threshold (the API"
        " returns at most 10).",
        "",
        "| data | practices | triples | index build (s) | results per query | ranking p50 / p95 | API warm p50 / p95 | "
        "API cold p50 / p95 | peer REGEX p50 / p95 (runs) | peer ÷ API warm (p50) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in results.items():
        rk, warm, cold, peer = r["ranking"], r["api_warm"], r["api_cold"], r["peer"]
        out.append(
            f"| {label} | {r['practices']} | {r['triples']} | {r['index_build_s']:.2f} | "
            f"{r['results_per_query']:.1f} | "
            f"{rk['p50']:.1f} / {rk['p95']:.1f} | {warm['p50']:.1f} / {warm['p95']:.1f} | "
            f"{cold['p50']:.1f} / {cold['p95']:.1f} | {peer['p50']:.1f} / {peer['p95']:.1f} ({r['peer_queries']}) | "
            f"{peer['p50'] / warm['p50']:.1f}× |"
        )
    out += [
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs. "
        f"Run {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}: `python benchmarks/finder_bench.py "
        f"{' '.join(sys.argv[1:])}`.",
    ]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practices", type=int, default=10_000, help="synthetic practices (default 10000)")
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds over the evaluation queries")
    parser.add_argument("--peer-every", type=int, default=4, help="large data: time the peer on every n-th query")
    parser.add_argument("--quality-only", action="store_true", help="measure quality only (seconds, not minutes)")
    parser.add_argument("--out", type=Path, default=DOC, help="Markdown file whose generated sections are replaced")
    args = parser.parse_args(argv)
    queries = _queries()
    shipped = Settings()
    store = GraphStore.from_settings(shipped)
    rows = quality(store, PracticeIndex.build(store), queries)
    print(render_quality(rows, queries))
    doc = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    args.out.write_text(_replace(doc, "quality", render_quality(rows, queries)), encoding="utf-8")
    if args.quality_only:
        return 0
    results = {"shipped data": speed(shipped, queries, args.rounds)}
    with tempfile.TemporaryDirectory(prefix="finder-bench-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(shipped.data_dir, data, ignore=shutil.ignore_patterns("restricted"))
        write_synthetic(data, args.practices, PracticeIndex.build(store))
        big = speed(Settings(data_dir=data), queries, args.rounds, peer_every=args.peer_every)
        results[f"+ {args.practices} synthetic practices"] = big
    print(render_speed(results, args.rounds))
    doc = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    doc = _replace(doc, "speed", render_speed(results, args.rounds))
    args.out.write_text(doc, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
