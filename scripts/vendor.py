#!/usr/bin/env python3
"""Refresh the browser assets vendored from the npm registry into ``graphapp/web/static/vendor/<package>/``.

Each package is fetched as the registry's tarball of a pinned version, checked against the registry's
``dist.integrity`` (SHA-512), and only the files the pages use are copied, with the package's licence and a
``VERSION`` record (package, version, licence, tarball URL, integrity). Nothing is fetched at run time: the
service serves these files from the installed package.

    python scripts/vendor.py            # fetch the pinned versions below
    python scripts/vendor.py --check    # only compare the VERSION records with the pins (no network)

To upgrade, change a pin below, run the script, run the browser tests, commit.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
VENDOR = Path(__file__).resolve().parent.parent / "graphapp" / "web" / "static" / "vendor"

# The MIT licence of Yasgui: @zazuko/yasgui declares "license": "MIT" in package.json but its tarball ships no
# LICENSE file, so the standard text is written with the copyright holders the package names.
YASGUI_LICENSE = """MIT License

Copyright (c) Triply B.V. and Zazuko GmbH (package author and contributors of @zazuko/yasgui,
https://github.com/zazuko/Yasgui)

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

# folder under vendor/ -> (npm package, pinned version, {file in the tarball: file in the folder}, licence text)
PACKAGES: dict[str, tuple[str, str, dict[str, str], str | None]] = {
    "swagger-ui": (
        "swagger-ui-dist",
        "5.35.0",
        {
            "package/swagger-ui-bundle.js": "swagger-ui-bundle.js",
            "package/swagger-ui-bundle.js.LICENSE.txt": "swagger-ui-bundle.js.LICENSE.txt",
            "package/swagger-ui.css": "swagger-ui.css",
            "package/LICENSE": "LICENSE",
            "package/NOTICE": "NOTICE",
        },
        None,
    ),
    "yasgui": (
        "@zazuko/yasgui",
        "4.6.2",
        {"package/build/yasgui.min.js": "yasgui.min.js", "package/build/yasgui.min.css": "yasgui.min.css"},
        YASGUI_LICENSE,
    ),
}


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - the npm registry, https only
        return response.read()


def _strip_source_map(name: str, data: bytes) -> bytes:
    # the .map files are not shipped: drop the comment that points browsers' tools at them
    if name.endswith((".js", ".css")):
        lines = data.rstrip(b"\n").split(b"\n")
        if lines and b"sourceMappingURL=" in lines[-1]:
            lines = lines[:-1]
        return b"\n".join(lines) + b"\n"
    return data


def refresh(folder: str) -> None:
    package, version, files, licence = PACKAGES[folder]
    meta = json.loads(_get(f"{REGISTRY}/{package.replace('/', '%2f')}/{version}"))
    tarball, integrity = meta["dist"]["tarball"], meta["dist"]["integrity"]
    data = _get(tarball)
    algo, _, digest = integrity.partition("-")
    if algo != "sha512" or base64.b64encode(hashlib.sha512(data).digest()).decode() != digest:
        sys.exit(f"{package}@{version}: the tarball does not match the registry's integrity {integrity}")
    target = VENDOR / folder
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member, name in files.items():
            extracted = tar.extractfile(member)
            if extracted is None:
                sys.exit(f"{package}@{version}: no file {member}")
            (target / name).write_bytes(_strip_source_map(name, extracted.read()))
    if licence is not None:
        (target / "LICENSE").write_text(licence, encoding="utf-8")
    record = {
        "package": package,
        "version": version,
        "license": meta.get("license"),
        "tarball": tarball,
        "integrity": integrity,
        "files": sorted(files.values()) + ([] if "LICENSE" in files.values() else ["LICENSE"]),
    }
    (target / "VERSION.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"{folder}: {package}@{version} ({meta.get('license')})")


def check() -> int:
    bad = 0
    for folder, (package, version, _, _) in PACKAGES.items():
        path = VENDOR / folder / "VERSION.json"
        record = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if (record.get("package"), record.get("version")) != (package, version):
            print(f"{folder}: vendored {record.get('package')}@{record.get('version')}, pinned {package}@{version}")
            bad = 1
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare the VERSION records with the pins only")
    args = parser.parse_args()
    if args.check:
        return check()
    for folder in PACKAGES:
        refresh(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
