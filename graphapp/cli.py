"""The ``graphapp`` command: validate, stats, export, import-reference (and serve, once the service exists).

Exit codes: 0 success, 1 validation violations, 2 bad input (syntax error, unreadable file, bad option).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .config import PROJECT_ROOT, ConfigError, Settings
from .sources import RESTRICTED_DIR, RdfSyntaxError, SourceFile, discover, graph_iri_for, local_file
from .staff import ROLES as STAFF_ROLES
from .storage import EXPORT_FORMATS, Store
from .store import rdflib_graph

if TYPE_CHECKING:
    from rdflib import Graph, URIRef

#: ``graphapp import --kind``: the kinds of entity a CSV file may hold (graphapp.writes.entities)
KIND_PLURALS = (
    "practices", "organisations", "institutions", "commitments", "key-actions", "activities", "problems",
    "local-exercises", "sources",
)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        return int(args.func(args, settings))
    except (RdfSyntaxError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `graphapp export | head`
        return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="graphapp", description="Gobierno Abierto KG: validate, inspect, export and serve the graph."
    )
    p.add_argument("--version", action="version", version=f"graphapp {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check data against the SHACL shapes (exit 1 on violations)")
    v.add_argument("paths", nargs="*", type=Path, help="Turtle files or folders (default: all shipped data)")
    v.add_argument(
        "--with-data",
        action="store_true",
        help="validate PATHs in the context of the shipped data: their entities and those that point at them",
    )
    v.add_argument("--lang", choices=["es", "en"], default="es", help="language of the messages")
    v.add_argument(
        "--show-restricted",
        action="store_true",
        help="show names and values from data/restricted/ (personal data) in the report; hidden by default",
    )
    v.set_defaults(func=_validate)

    s = sub.add_parser("stats", help="triples per graph and entities per class")
    s.add_argument("--json", action="store_true", help="print JSON instead of text")
    s.set_defaults(func=_stats)

    e = sub.add_parser("export", help="write the public graph (never the restricted personal data)")
    e.add_argument("--format", choices=sorted(EXPORT_FORMATS), default="ttl")
    e.add_argument("--out", type=Path, help="file to write (default: standard output)")
    e.add_argument(
        "--per-graph",
        type=Path,
        metavar="DIR",
        help="write the current graph as sorted Turtle, one file per named graph, below DIR (for review with git)",
    )
    e.set_defaults(func=_export)

    ld = sub.add_parser("load", help="build or refresh the persistent store from ontology/ and data/")
    ld.add_argument("--rebuild", action="store_true", help="reload every source file, even unchanged ones")
    ld.set_defaults(func=_load)

    sv = sub.add_parser("serve", help="start the web service on the shipped data")
    sv.add_argument("--host", default=None, help="address to listen on (GRAPHAPP_HOST, default 127.0.0.1)")
    sv.add_argument("--port", type=int, default=None, help="port (GRAPHAPP_PORT, default 8000)")
    sv.add_argument("--workers", type=int, default=None, help="query worker processes (GRAPHAPP_WORKERS)")
    sv.add_argument(
        "--web-workers",
        type=int,
        default=None,
        help="web processes sharing one store (GRAPHAPP_WEB_WORKERS; more than one needs GRAPHAPP_STORE=sparql)",
    )
    sv.add_argument("--query-timeout", type=float, default=None, help="seconds per query (GRAPHAPP_QUERY_TIMEOUT)")
    sv.add_argument("--get", metavar="PATH", help="answer one GET request in-process, print it and exit")
    sv.set_defaults(func=_serve)

    gen = sub.add_parser("generate", help="write clearly synthetic data of a given size (for benchmarks)")
    gen.add_argument("--triples", type=int, required=True, help="approximate number of triples to write")
    gen.add_argument("--out", type=Path, required=True, help="output folder (never data/)")
    gen.add_argument("--seed", type=int, default=0, help="random seed (same seed, same data)")
    gen.set_defaults(func=_generate)

    r = sub.add_parser("import-reference", help="regenerate data/reference/ from shared/reference-data")
    r.add_argument(
        "--from",
        dest="src",
        type=Path,
        default=Settings().data_dir.parent.parent / "shared" / "reference-data",
    )
    r.add_argument("--out", type=Path, default=None, help="output folder (default: data/reference)")
    r.add_argument(
        "--editorial",
        type=Path,
        default=None,
        help="folder of the editorial mapping of OGP policy areas to themes, where the commitments' themes are "
        "written (default: data/editorial)",
    )
    r.set_defaults(func=_import_reference)

    im = sub.add_parser("import", help="add entities from a CSV spreadsheet through the validated write path")
    im.add_argument("file", nargs="?", type=Path, help="the CSV file (UTF-8 or latin-1; ';' or ',' between cells)")
    im.add_argument("--kind", required=True, choices=list(KIND_PLURALS), help="what each row is")
    im.add_argument("--dry-run", action="store_true", help="check and report every row without writing")
    im.add_argument("--per-row", action="store_true", help="write the good rows one by one (default: all or nothing)")
    im.add_argument("--actor", default=None, help="who the history records (default: the system user)")
    im.add_argument("--source", default=None, help="IRI of the document the rows come from (kept in the history)")
    im.add_argument("--lang", choices=["es", "en"], default="es", help="language of the report")
    im.add_argument("--columns", action="store_true", help="print the column layout of --kind and exit")
    im.add_argument(
        "--token",
        default=None,
        help="staff token (role edit) for importing through the running service, which holds the store "
        "(default: GRAPHAPP_TOKEN, else GRAPHAPP_UPDATE_TOKEN; prefer the variable: a command line is visible)",
    )
    im.add_argument(
        "--url",
        default=None,
        help="import through the service at this address even if the store is free (default when the store is "
        "in use: GRAPHAPP_PUBLIC_URL, else http://GRAPHAPP_HOST:GRAPHAPP_PORT/)",
    )
    im.set_defaults(func=_import)

    st = sub.add_parser("staff", help="staff accounts that may write: add, list, disable, enable, token")
    st_sub = st.add_subparsers(dest="staff_command", required=True)
    st_add = st_sub.add_parser("add", help="add a staff member and print their token (shown once)")
    st_add.add_argument("name", help="account name, e.g. ana.lopez")
    st_add.add_argument("--role", dest="roles", action="append", required=True, choices=STAFF_ROLES)
    st_add.add_argument("--display", default="", help="name shown on pages, e.g. 'Ana López'")
    st_list = st_sub.add_parser("list", help="list staff accounts (never a token)")
    st_list.add_argument("--json", action="store_true", help="print JSON instead of text")
    for action, text in (
        ("disable", "disable an account (its token and sessions stop working at once)"),
        ("enable", "enable a disabled account again"),
        ("token", "give an account a new token (printed once); the old one stops working"),
    ):
        st_one = st_sub.add_parser(action, help=text)
        st_one.add_argument("name")
    st.set_defaults(func=_staff)

    rl = sub.add_parser("release", help="freeze the current version of the graph as a release, kept forever")
    rl.add_argument("--name", required=True, help="the release's name, e.g. 2026.1 (letters, digits, '.', '_', '-')")
    rl.add_argument("--note", default="", help="what the release is for (shown on its page)")
    rl.add_argument("--actor", default=None, help="who the release records (default: the system user)")
    rl.add_argument(
        "--token",
        default=None,
        help="staff token (role admin) for releasing through the running service, which holds the store "
        "(default: GRAPHAPP_TOKEN, else GRAPHAPP_UPDATE_TOKEN)",
    )
    rl.add_argument("--url", default=None, help="release through the service at this address")
    rl.set_defaults(func=_release)

    bk = sub.add_parser("backup", help="copy the store, its history and the staff accounts into a new folder")
    bk.add_argument("dir", type=Path, help="a new (or empty) folder for the backup")
    bk.set_defaults(func=_backup)
    rs = sub.add_parser("restore", help="replace the store, history and staff accounts with a backup")
    rs.add_argument("dir", type=Path, help="a folder written by `graphapp backup`")
    rs.add_argument("--force", action="store_true", help="replace a store that already holds data or history")
    rs.set_defaults(func=_restore)
    return p


def _files_for(paths: list[Path], settings: Settings) -> list[SourceFile]:
    files: list[SourceFile] = []
    for path in paths:
        if not path.exists():
            raise RdfSyntaxError(path, None, "no such file or folder")
        found = sorted(path.rglob("*.ttl")) if path.is_dir() else [path]
        for f in found:
            try:
                files.append(SourceFile(f, graph_iri_for(f, settings.data_dir)))
            except ValueError:
                files.append(local_file(f))
    return files


def _is_restricted(source: SourceFile, settings: Settings) -> bool:
    """Whether a file holds restricted (personal) data: listed as such, or below data/restricted/."""
    folders = [settings.data_dir / RESTRICTED_DIR, *([settings.restricted_path] if settings.restricted_path else [])]
    return source.restricted or any(source.path.resolve().is_relative_to(f.resolve()) for f in folders)


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    from .validation import load_shapes, publication_shapes, validate

    ontology_files = [f for f in discover(settings) if f.path.parent == settings.ontology_dir]
    focus: list[URIRef] | None = None
    given: list[SourceFile] = []
    if args.paths:
        data_files = _files_for(args.paths, settings)
        if args.with_data:
            given = data_files
            data_files = [
                f for f in discover(settings, include_restricted=True) if f not in ontology_files
            ] + data_files
    else:
        data_files = [f for f in discover(settings, include_restricted=True) if f not in ontology_files]
    shapes = load_shapes(
        SourceFile(p, graph_iri_for(p, settings.shapes_dir, "shapes/"))
        for p in sorted(settings.shapes_dir.glob("*.ttl"))
    )
    data = rdflib_graph(data_files)
    if args.paths and args.with_data:
        # as the write path does: the files' entities and the nodes that point at them, not the whole graph
        # (the shipped data are checked by `graphapp validate` alone)
        focus = _focus_of(rdflib_graph(given), data)
    report = validate(data, shapes, rdflib_graph(ontology_files), focus)
    # personal data (data/restricted/, however it was named) never reaches the operator's screen unless asked for
    restricted = [f for f in data_files if _is_restricted(f, settings)]
    if restricted:
        restricted_graph = rdflib_graph(restricted)
        report = report.restrict(restricted_graph)
        nodes = {str(n) for n in restricted_graph.subjects()}
        report = report.publishable(publication_shapes(settings), nodes)
    print(report.format(args.lang, show_restricted=args.show_restricted))
    return 1 if report.violations else 0


def _focus_of(given: Graph, data: Graph) -> list[URIRef]:
    """The entities described in ``given`` and the entities of ``data`` that point at them."""
    import rdflib

    entities = {s for s in given.subjects() if isinstance(s, rdflib.URIRef)}
    pointing = {s for e in entities for s in data.subjects(None, e) if isinstance(s, rdflib.URIRef)}
    return sorted(entities | pointing)


def _progress(files: list[SourceFile]) -> Iterable[SourceFile]:
    from tqdm import tqdm

    bar: Iterable[SourceFile] = tqdm(files, desc="loading", unit="file", file=sys.stderr, disable=not files)
    return bar


def require_sources(settings: Settings) -> None:
    """Refuse to build or serve the graph from a missing or empty folder, naming it: a wrong ``GRAPHAPP_DATA_DIR``
    would otherwise serve an empty graph without a word. From a non-editable install, the folders are not in the
    package: say that the project's checkout is needed."""
    folders = (
        ("data", "GRAPHAPP_DATA_DIR", settings.data_dir),
        ("ontology", "GRAPHAPP_ONTOLOGY_DIR", settings.ontology_dir),
        ("shapes", "GRAPHAPP_SHAPES_DIR", settings.shapes_dir),
    )
    for name, variable, folder in folders:
        problem = None
        if not folder.is_dir():
            problem = f"the {name} folder {folder} does not exist"
        elif not any(folder.rglob("*.ttl")):
            problem = f"the {name} folder {folder} holds no Turtle (.ttl) files"
        if problem is None:
            continue
        hint = f"set {variable} to the project's {name}/ folder"
        if folder.parent == PROJECT_ROOT and not (PROJECT_ROOT / "pyproject.toml").exists():
            hint = (
                "graphapp reads its data from a checkout of the project (data/, ontology/, shapes/), which a "
                f"non-editable install does not contain: run it from a clone (pip install -e .) or {hint}"
            )
        raise ConfigError(f"{problem}: {hint}")


@contextlib.contextmanager
def _current_store(settings: Settings) -> Iterator[Store]:
    """The current graph: the persistent store brought in line with the files (or the files, in memory)."""
    from .loading import StoreBusy, open_store

    require_sources(settings)
    try:
        store, _ = open_store(settings, _progress)
    except StoreBusy as exc:
        raise ConfigError(str(exc)) from None
    try:
        yield store
    finally:
        store.close()


def _load(args: argparse.Namespace, settings: Settings) -> int:
    from .loading import rebuild_manifest

    if settings.in_memory:
        raise ConfigError("GRAPHAPP_STORE_DIR is ':memory:': there is no persistent store to load")
    if args.rebuild:
        rebuild_manifest(settings)
    with _current_store(settings) as store:
        graphs = store.graphs()
        print(f"store: {settings.store_dir}: {len(store)} quads in {len(graphs)} graphs", file=sys.stderr)
    return 0


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    with _current_store(settings) as store:
        return _print_stats(args, store)


def _print_stats(args: argparse.Namespace, store: Store) -> int:
    graphs = store.select("graph-sizes")
    classes = store.select("class-counts")
    if args.json:
        print(json.dumps({"triples": len(store), "graphs": graphs, "classes": classes}, ensure_ascii=False, indent=2))
        return 0
    print(f"triples: {len(store)}")
    print("\ngraphs:")
    for row in graphs:
        print(f"  {row['triples']:>7}  {row['graph']}")
    print("\nentities per class:")
    for row in classes:
        print(f"  {row['n']:>7}  {row.get('label', '')}  <{row['class']}>")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    with _current_store(settings) as store:
        if args.per_graph:
            written = store.export_per_graph(args.per_graph)
            print(f"wrote {len(written)} files below {args.per_graph}", file=sys.stderr)
            return 0
        return _export_one(args, store)


def _export_one(args: argparse.Namespace, store: Store) -> int:
    if args.out:
        with args.out.open("wb") as fh:
            store.export(args.format, fh)
        print(f"wrote {args.out} ({len(store)} quads)", file=sys.stderr)
    else:
        store.export(args.format, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    settings = Settings.from_env(
        host=args.host,
        port=args.port,
        workers=args.workers,
        query_timeout=args.query_timeout,
        web_workers=args.web_workers,
    )
    if settings.web_workers == 1:
        # the first query worker's process starts now, beside the imports below (the first answer at 10^6 triples
        # came 0.7 s later without it: docs/benchmarks.md, benchmarks/stop_time.py)
        from .executor import prestart

        prestart()
    from .web.app import create_app

    if not settings.in_memory:
        # build the store on the first start (with a progress bar), and say clearly if another service holds it
        with _current_store(settings):
            pass
    require_sources(settings)
    app = create_app(settings)
    if args.get:
        from .web.oneshot import get

        response = get(app, args.get)
        sys.stdout.write(response.text)
        return 0 if response.status < 400 else 1
    import uvicorn

    print(f"Gobierno Abierto KG: http://{settings.host}:{settings.port}/", file=sys.stderr)
    if settings.web_workers > 1:
        # each web process builds its app from the environment: hand it the settings of this command line
        for name, value in (
            ("HOST", settings.host),
            ("PORT", settings.port),
            ("WORKERS", settings.workers),
            ("QUERY_TIMEOUT", settings.query_timeout),
            ("WEB_WORKERS", settings.web_workers),
        ):
            os.environ["GRAPHAPP_" + name] = str(value)
        uvicorn.run(
            "graphapp.web.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.web_workers,
            log_level="info",
        )
        return 0
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    return 0


def _generate(args: argparse.Namespace, settings: Settings) -> int:
    from .generate import generate

    out = args.out.resolve()
    if out == settings.data_dir.resolve() or settings.data_dir.resolve() in out.parents:
        raise ConfigError("synthetic data never goes into data/: choose another --out folder")
    if args.triples <= 0:
        raise ConfigError("--triples must be positive")
    for name, n in generate(args.triples, out, seed=args.seed).items():
        print(f"  {n:>9}  {out / name}")
    return 0


def _import_reference(args: argparse.Namespace, settings: Settings) -> int:
    from .reference_import import THEMES_OUT, build_reference

    if not args.src.is_dir():
        raise RdfSyntaxError(args.src, None, "reference-data folder not found (use --from)")
    out = args.out or settings.data_dir / "reference"
    editorial = args.editorial or settings.data_dir / "editorial"
    for name, n in build_reference(args.src, out, settings.ontology_dir, editorial).items():
        print(f"  {n:>7}  {(editorial if name == THEMES_OUT else out) / name}")
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from .writes.importer import command

    return command(
        settings,
        args.file,
        args.kind,
        columns_only=args.columns,
        dry_run=args.dry_run,
        per_row=args.per_row,
        actor=args.actor,
        source=args.source,
        lang=args.lang,
        token=args.token,
        url=args.url,
    )


def _staff(args: argparse.Namespace, settings: Settings) -> int:
    from . import staff

    path = staff.staff_path(settings)
    if path is None:
        raise ConfigError("GRAPHAPP_STORE_DIR is ':memory:': set GRAPHAPP_STAFF_FILE to keep staff accounts")
    if args.staff_command == "list":
        members = [m.public() for m in staff.read_members(path).values()]
        if args.json:
            print(json.dumps({"file": str(path), "staff": members}, ensure_ascii=False, indent=2))
        else:
            print(f"{path}: {len(members)} staff", file=sys.stderr)
            for m in members:
                state = "disabled" if m["disabled"] else "active"
                roles = ",".join(m["roles"])  # type: ignore[arg-type]
                print(f"{m['name']}\t{m['display_name']}\t{roles}\t{state}\ttoken {m['token_id']}\t{m['created']}")
        return 0
    if args.staff_command in ("add", "token"):
        if args.staff_command == "add":
            member, token = staff.add(path, args.name, args.roles, args.display)
        else:
            member, token = staff.rotate(path, args.name)
        print(f"token for {member.name} ({', '.join(member.roles)}), shown this once; keep it safe:", file=sys.stderr)
        print(token)
        return 0
    member = staff.set_disabled(path, args.name, args.staff_command == "disable")
    print(f"{member.name}: {'disabled' if member.disabled else 'enabled'}", file=sys.stderr)
    return 0


def _release(args: argparse.Namespace, settings: Settings) -> int:
    from .release_command import command

    return command(settings, args.name, args.note, actor=args.actor, token=args.token, url=args.url)


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from .backup import BackupError, backup

    try:
        done = backup(settings, args.dir)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    staff = "no staff file" if done.staff is None else f"{done.staff} staff accounts"
    print(f"backup in {done.folder}: {done.quads} quads in {done.graphs} graphs, {done.changes} changes, {staff}")
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from .backup import BackupError, restore

    try:
        done = restore(settings, args.dir, force=args.force)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    staff = "no staff file" if done.staff is None else f"{done.staff} staff accounts"
    print(f"restored {settings.store_dir} from {done.folder}: {done.quads} quads, {done.changes} changes, {staff}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
