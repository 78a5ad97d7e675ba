"""Writing files safely: a temporary file and a rename, so a reader never sees half a file."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile

# A temporary file's name carries its writer's process id, so that the next save in its
# folder can tell the leftover of a writer killed mid-save from another writer's file.
_TEMP = re.compile(r"\.bunrui-(\d+)-.*\.tmp\Z")
_cleaned: set[str] = set()  # folders already rid of leftovers by this process


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_leftovers(folder: str) -> list[str]:
    """Remove the temporary files of saves whose process is gone; the names removed."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    removed = []
    for name in names:
        match = _TEMP.match(name)
        if match and not _alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
                removed.append(name)
    return removed


def write_atomic(path: str, data: bytes) -> None:
    """Replace (or create) ``path`` with ``data`` through a temporary file and a rename,
    keeping an existing file's permissions.

    A symbolic link keeps pointing where it did (its target is replaced), and something
    that is not a regular file (/dev/null, /dev/stdout, a pipe) is written to, never
    replaced by a rename. The first save into a folder removes what saves killed midway
    left there.
    """
    path = os.path.realpath(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(path, "wb") as handle:
            handle.write(data)
        return
    folder = os.path.dirname(path)
    if folder not in _cleaned:
        remove_leftovers(folder)
        _cleaned.add(folder)
    mode = st.st_mode & 0o7777 if st is not None else 0o644
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".bunrui-{os.getpid()}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
