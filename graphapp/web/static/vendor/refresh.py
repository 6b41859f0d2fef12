"""Refresh the browser assets vendored from the npm registry (never fetched at run time, never from a CDN).

Each package is fetched with ``npm pack <name>@<version>``, unpacked, and the files we use are copied next to its
licence and a VERSION file naming the package, version, licence and tarball integrity:

- ``@svg-maps/mexico`` (CC BY 4.0, by Victor Cazanave): the map of Mexico's 32 states, ``mexico.svg``, drawn by
  /vistas/municipios with the Métrica 2017 state averages. Served from ``graphapp/web/static/vendor/``.
- ``axe-core`` (MPL 2.0, Deque Systems): the accessibility checker the browser tests inject into every page kind.
  Used by the tests only, so it lives in ``tests/vendor/``.

Run from the repository root: ``python graphapp/web/static/vendor/refresh.py`` (needs ``npm``). Change a version
here, run it, run the tests, commit the result.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
PACKAGES = [
    # (package, version, destination, files to copy from the package, its licence file)
    ("@svg-maps/mexico", "2.0.0", ROOT / "graphapp/web/static/vendor/svg-maps-mexico", ["mexico.svg"], "LICENSE.md"),
    ("axe-core", "4.14.1", ROOT / "tests/vendor/axe-core", ["axe.min.js"], "LICENSE"),
]


def refresh(package: str, version: str, dest: Path, files: list[str], licence: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(  # noqa: S603 - a fixed command line; npm from PATH is the point
            ["npm", "pack", f"{package}@{version}", "--json"],  # noqa: S607
            cwd=tmp,
            check=True,
            capture_output=True,
            text=True,
        )
        info = json.loads(out.stdout)[0]
        with tarfile.open(Path(tmp) / info["filename"]) as tar:
            tar.extractall(tmp, filter="data")
        unpacked = Path(tmp) / "package"
        meta = json.loads((unpacked / "package.json").read_text(encoding="utf-8"))
        dest.mkdir(parents=True, exist_ok=True)
        for name in [*files, licence]:
            shutil.copyfile(unpacked / name, dest / name)
        (dest / "VERSION").write_text(
            f"{meta['name']} {meta['version']}\nlicence: {meta['license']}\nauthor: {meta.get('author', '')}\n"
            f"from: https://registry.npmjs.org/{package}/-/{package.rsplit('/', 1)[-1]}-{version}.tgz\n"
            f"integrity: {info['integrity']}\n",
            encoding="utf-8",
        )
        print(f"{meta['name']} {meta['version']} -> {dest.relative_to(ROOT)}")


def main() -> int:
    for entry in PACKAGES:
        refresh(*entry)
    return 0


if __name__ == "__main__":
    sys.exit(main())
