"""Writing files safely: a temporary file and a rename, so a reader never sees half a file."""

from __future__ import annotations

import os
import stat
import tempfile


def write_atomic(path: str, data: bytes) -> None:
    """Replace (or create) ``path`` with ``data`` through a temporary file and a rename,
    keeping an existing file's permissions.

    A symbolic link keeps pointing where it did (its target is replaced), and something
    that is not a regular file (/dev/null, /dev/stdout, a pipe) is written to, never
    replaced by a rename.
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
    mode = st.st_mode & 0o7777 if st is not None else 0o644
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".bunrui-", suffix=".tmp")
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
