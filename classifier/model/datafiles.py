"""Reading a model folder's files as validated data: JSON fields of the type expected,
arrays of the dtype and shape expected, each file only if its bytes are those its card names.

Nothing here unpickles: arrays are read with ``allow_pickle=False``, sparse matrices with
SciPy's ``load_npz`` (which does the same) and checked in full before use.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import ModelError


def digest(data: bytes) -> str:
    """The SHA-256 a card names a file by."""
    return hashlib.sha256(data).hexdigest()


def corrupt(path: str, reason: str) -> ModelError:
    return ModelError(f"corrupt or incompatible model file ({reason}); retrain it", path=path)


def check(ok: bool, problem: str, path: str) -> None:
    if not ok:
        raise corrupt(path, problem)


class ModelFiles:
    """Reads a model folder's files, each only if its bytes are the ones its card names."""

    def __init__(self, folder: str, digests: dict[str, str]) -> None:
        self.folder, self.digests = folder, digests

    def read(self, name: str) -> tuple[str, bytes]:
        path = os.path.join(self.folder, name)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise ModelError(f"{name} is missing; retrain the model", path=self.folder) from None
        except OSError as exc:
            raise ModelError(f"cannot read the model: {exc.strerror}", path=path) from None
        if self.digests.get(name) != digest(data):
            raise ModelError("does not match the model card (corrupt, changed by hand, or a "
                             "save in progress); load it again or retrain it", path=path)
        return path, data

    def npz(self, name: str) -> tuple[str, io.BytesIO]:
        """An .npz archive's path and bytes, its members stored uncompressed as saved.

        A compressed member could inflate to far more memory than the file's size (a
        decompression bomb); save_model never compresses, so none is accepted.
        """
        path, data = self.read(name)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                packed = [i.filename for i in archive.infolist()
                          if i.compress_type != zipfile.ZIP_STORED]
        except (zipfile.BadZipFile, ValueError, EOFError) as exc:
            raise corrupt(path, f"{type(exc).__name__}: {exc}") from None
        check(not packed, f"compressed members {packed}", path)
        return path, io.BytesIO(data)

    def json(self, name: str) -> JsonPart:
        path, data = self.read(name)
        try:
            return JsonPart(json.loads(data.decode("utf-8")), path)
        except ValueError as exc:
            raise corrupt(path, f"{type(exc).__name__}: {exc}") from None

    def arrays(self, name: str) -> Arrays:
        path, data = self.npz(name)
        try:
            with np.load(data, allow_pickle=False) as npz:
                return Arrays({key: npz[key] for key in npz.files}, path)
        except Exception as exc:  # a damaged archive can raise nearly anything
            raise corrupt(path, f"{type(exc).__name__}: {exc}") from None

    def sparse(self, name: str, shape: tuple[int, int]) -> sp.csr_matrix:
        """A float32 CSR matrix of ``shape``, its indices checked to be in range."""
        path, data = self.npz(name)
        try:
            matrix = sp.load_npz(data)  # calls numpy.load(..., allow_pickle=False)
        except Exception as exc:  # a damaged archive can raise nearly anything
            raise corrupt(path, f"{type(exc).__name__}: {exc}") from None
        check(matrix.format == "csr" and matrix.dtype == np.float32 and matrix.shape == shape,
               f"holds a {matrix.format} {matrix.dtype} matrix of shape {matrix.shape}, "
               f"not csr float32 {shape}", path)
        try:
            # scipy's C++ routines trust indices; out-of-range ones would read stray memory.
            matrix.check_format(full_check=True)
        except ValueError as exc:
            raise corrupt(path, str(exc)) from None
        return sp.csr_matrix(matrix)


class Arrays:
    """The arrays of one .npz file, handed out only with the dtype and shape expected."""

    def __init__(self, arrays: dict[str, np.ndarray], path: str) -> None:
        self.arrays, self.path = arrays, path

    def get(self, name: str, dtypes, shape: tuple[int | None, ...]) -> np.ndarray:
        """The array ``name``, of one of ``dtypes`` and of ``shape`` (None: any length)."""
        array = self.arrays.get(name)
        check(array is not None, f"no array {name!r}", self.path)
        dtypes = dtypes if isinstance(dtypes, tuple) else (dtypes,)
        check(array.dtype in dtypes and len(array.shape) == len(shape)
               and all(n is None or n == m for n, m in zip(shape, array.shape, strict=True)),
               f"{name!r} is {array.dtype} of shape {array.shape}, expected "
               f"{' or '.join(np.dtype(d).name for d in dtypes)} of shape {shape}", self.path)
        return array


class JsonPart:
    """A part of model.json, its fields handed out only with the type expected."""

    def __init__(self, data: Any, path: str, where: str = "") -> None:
        check(isinstance(data, dict), f"{where.rstrip('.') or 'the file'} is not a JSON object",
               path)
        self.data, self.path, self.where = data, path, where

    def _get(self, key: str, kinds: tuple[type, ...], what: str, optional: bool = False):
        value = self.data.get(key)
        if value is None and optional:
            return None
        # bool is an int to Python but never a count or a weight here.
        check(isinstance(value, kinds) and not isinstance(value, bool),
               f"{self.where}{key} is not {what}", self.path)
        return value

    def section(self, key: str, optional: bool = False) -> JsonPart | None:
        value = self.data.get(key)
        if value is None and optional:
            return None
        return JsonPart(value, self.path, f"{self.where}{key}.")

    def number(self, key: str) -> float | int:
        return self._get(key, (int, float), "a number")

    def integer(self, key: str, minimum: int = 0, optional: bool = False) -> int | None:
        value = self._get(key, (int,), f"an integer >= {minimum}", optional)
        check(value is None or value >= minimum, f"{self.where}{key} is below {minimum}",
               self.path)
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key)
        check(isinstance(value, bool), f"{self.where}{key} is not true or false", self.path)
        return value

    def choice(self, key: str, options: tuple[str, ...]) -> str:
        """One of ``options``; the first when the key is absent (an older model's file)."""
        value = self.data.get(key, options[0])
        check(value in options, f"{self.where}{key} is not one of {', '.join(options)}",
              self.path)
        return value

    def floats(self, key: str, default: list[float]) -> list[float]:
        """A list of numbers as long as ``default``; ``default`` when the key is absent."""
        value = self.data.get(key, default)
        check(isinstance(value, list) and len(value) == len(default)
              and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value),
              f"{self.where}{key} is not a list of {len(default)} numbers", self.path)
        return [float(v) for v in value]

    def integers(self, key: str) -> list[int]:
        value = self._get(key, (list,), "a list of integers")
        check(all(type(v) is int for v in value),
               f"{self.where}{key} is not a list of integers", self.path)
        return value

    def strings(self, key: str) -> list[str]:
        value = self._get(key, (list,), "a list of strings")
        check(all(isinstance(v, str) for v in value),
               f"{self.where}{key} is not a list of strings", self.path)
        return value

    def string_lists(self, key: str, length: int) -> list[list[str]]:
        value = self._get(key, (list,), f"a list of {length} lists of strings")
        check(len(value) == length and all(
            isinstance(v, list) and all(isinstance(t, str) for t in v) for v in value),
            f"{self.where}{key} is not a list of {length} lists of strings", self.path)
        return value
