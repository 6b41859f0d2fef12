"""The service's temporary folder, named after the process that owns it, and the removal of stale ones.

A server stopped cleanly removes its folder; one killed (SIGKILL, out of memory) cannot, and used to leave
``graphapp-*`` folders of several megabytes behind. Each folder is now ``graphapp-<pid>-<random>``; a starting
service removes the folders of that pattern whose process is gone. Folders of live processes, folders that do
not match the pattern exactly, symbolic links and folders of other users are never touched.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

PREFIX = "graphapp-"
# tempfile.mkdtemp draws its random suffix from lowercase letters, digits and "_"
PATTERN = re.compile(r"graphapp-(?P<pid>[1-9][0-9]*)-[a-z0-9_]+")


def make_workdir() -> Path:
    """Remove stale folders, then create this process's folder in the temporary directory."""
    remove_stale_workdirs()
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))


def remove_stale_workdirs(tmp: Path | None = None) -> list[Path]:
    """Remove ``graphapp-<pid>-*`` folders in ``tmp`` (default: the temporary directory) whose process is gone.

    Returns the folders removed. Does nothing where process ids cannot be checked safely (not POSIX).
    """
    if os.name != "posix":
        return []
    tmp = Path(tmp or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(tmp.iterdir())
    except OSError:
        return []
    uid = os.getuid()
    for entry in entries:
        match = PATTERN.fullmatch(entry.name)
        if match is None:
            continue
        try:
            info = entry.lstat()
        except OSError:
            continue
        if entry.is_symlink() or not entry.is_dir() or info.st_uid != uid:
            continue
        if _alive(int(match["pid"])):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (a process of another user counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True
