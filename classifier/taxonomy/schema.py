"""The ``bunrui.toml`` file as a pydantic model, and reading it into a ``Taxonomy``.

Every table and key is optional and unknown ones are refused (a typo must not silently
switch a check off). Validation is strict: TOML has types, so ``"3"`` is not a count and
``true`` not a threshold. Errors name the path of the value at fault (``tags.aliases.foo``).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from ..errors import TaxonomyError
from .model import OFF, SEVERITIES, Taxonomy

TAXONOMY_FILE = "bunrui.toml"

Label = Annotated[str, Field(min_length=1)]
Count = Annotated[int, Field(ge=0)]
Severity = Literal[(*SEVERITIES, OFF)]
_OWN_ERROR = "taxonomy"  # the type of the errors our validators raise, worded already


def _unique(labels: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(labels))


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CategoriesTable(_Table):
    """``[categories]``."""

    allowed: list[str] = []
    max_per_post: Count = 1  # 0 = no limit
    deprecated: dict[str, Label] = {}  # retired category = its replacement

    @field_validator("deprecated")
    @classmethod
    def _replacements_are_allowed(cls, deprecated: dict[str, str],
                                  info: ValidationInfo) -> dict[str, str]:
        allowed = info.data.get("allowed")
        for old, new in deprecated.items():
            if allowed and new not in allowed:
                raise PydanticCustomError(
                    _OWN_ERROR, "deprecated category '{old}' is replaced by '{new}', which is "
                    "not in categories.allowed", {"old": old, "new": new})
        return deprecated


class TagsTable(_Table):
    """``[tags]``."""

    canonical: list[str] = []
    min_per_post: Count = 1
    max_per_post: Count = 0  # 0 = no limit
    aliases: dict[str, Label] = {}  # variant = canonical tag
    deprecated: dict[str, str] = {}  # retired tag = its replacement, "" when it has none
    disallowed: list[str] = []

    @field_validator("max_per_post")
    @classmethod
    def _not_below_min(cls, value: int, info: ValidationInfo) -> int:
        if value and value < info.data.get("min_per_post", 0):
            raise PydanticCustomError(_OWN_ERROR, "tags.max_per_post is below tags.min_per_post")
        return value

    @field_validator("aliases")
    @classmethod
    def _follow_chains(cls, aliases: dict[str, str]) -> dict[str, str]:
        """a -> b -> c becomes a -> c; a cycle is an error."""
        out = {}
        for start in aliases:
            seen, label = [start], aliases[start]
            while label in aliases:
                if label in seen:
                    raise PydanticCustomError(_OWN_ERROR, "aliases form a cycle: {cycle}",
                                              {"cycle": " -> ".join([*seen, label])})
                seen.append(label)
                label = aliases[label]
            out[start] = label
        return out

    def canonical_tags(self) -> tuple[str, ...]:
        """``canonical`` without aliases, with alias targets and replacements added."""
        canonical = list(_unique(self.canonical))
        if not canonical:
            return ()
        # An alias names a spelling to replace, so it cannot also be canonical; its
        # target joins the canonical list if the editor forgot it.
        canonical = [t for t in canonical if t not in self.aliases]
        canonical += [t for t in _unique(self.aliases.values()) if t not in canonical]
        canonical += [t for t in _unique(self.deprecated.values()) if t and t not in canonical]
        return tuple(canonical)


class TaxonomyFile(_Table):
    """A whole ``bunrui.toml``; the format is described in ``docs/taxonomy.md``."""

    categories: CategoriesTable = CategoriesTable()
    tags: TagsTable = TagsTable()
    rules: dict[str, Severity] = {}  # rule id -> severity; ids are checked by the checker
    model: dict[str, float] = {}  # model-rule thresholds; names are checked by the checker

    def declared(self) -> frozenset[str]:
        """The keys the file set, as dotted paths ("tags.max_per_post")."""
        keys = set()
        for name in self.model_fields_set:
            table = getattr(self, name)
            inner = table.model_fields_set if isinstance(table, BaseModel) else table
            keys.update(f"{name}.{key}" for key in inner)
        return frozenset(keys)

    def taxonomy(self, source: str) -> Taxonomy:
        """The ``Taxonomy`` this file declares; ``source`` says where it was read."""
        cats, tags = self.categories, self.tags
        return Taxonomy(
            categories=_unique(cats.allowed), max_categories=cats.max_per_post,
            deprecated_categories=dict(cats.deprecated), tags=tags.canonical_tags(),
            tag_aliases=dict(tags.aliases), deprecated_tags=dict(tags.deprecated),
            disallowed_tags=_unique(tags.disallowed), min_tags=tags.min_per_post,
            max_tags=tags.max_per_post or None, severities=dict(self.rules),
            thresholds=dict(self.model), sources=(source,), declared=self.declared())


# Pydantic words its errors for programmers ("Input should be a valid list"); these say
# what the file must hold. {where} is the dotted path of the value at fault.
_MESSAGES = {
    "list_type": "'{where}' must be a list of strings",
    "dict_type": "'{where}' must be a table of \"label\" = \"label\"",
    "string_type": "'{where}' must be a string",
    "string_too_short": "'{where}' must not be an empty string",
    "int_type": "'{where}' must be a whole number of at least 0",
    "greater_than_equal": "'{where}' must be a whole number of at least 0",
    "float_type": "model threshold '{name}' must be a number",
    "literal_error": "rule '{name}' has severity {value!r}; use one of "
                     + ", ".join((*SEVERITIES, OFF)),
}


def _unknown(loc: tuple) -> str:
    if len(loc) == 1:
        return f"unknown section [{loc[0]}] (known: {', '.join(TaxonomyFile.model_fields)})"
    section, key = loc
    known = sorted(TaxonomyFile.model_fields[section].annotation.model_fields)
    return f"unknown key '{key}' in [{section}] (known: {', '.join(known)})"


def _message(error: ErrorDetails) -> str:
    loc, kind = error["loc"], error["type"]
    where = ".".join(str(part) for part in loc)
    if kind == "extra_forbidden":
        return _unknown(loc)
    if kind == _OWN_ERROR:
        return error["msg"]
    if len(loc) == 1:
        return f"'{where}' must be a table: [{where}]"
    template = _MESSAGES.get(kind, "'{where}': {msg}")
    return template.format(where=where, name=loc[-1], value=error["input"], msg=error["msg"])


def _taxonomy_error(exc: ValidationError, path: str) -> TaxonomyError:
    # Unknown names first: a misspelt key explains more than what follows from it.
    errors = sorted(exc.errors(), key=lambda error: error["type"] != "extra_forbidden")
    field = ".".join(str(part) for part in errors[0]["loc"])
    return TaxonomyError("; ".join(_message(error) for error in errors), path=path, field=field)


def parse_taxonomy(text: str, path: str = TAXONOMY_FILE) -> Taxonomy:
    """A ``Taxonomy`` from the text of a ``bunrui.toml`` file; ``TaxonomyError`` if malformed."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise TaxonomyError(f"invalid TOML: {exc}", path=path,
                            line=int(match.group(1)) if match else None) from None
    try:
        file = TaxonomyFile.model_validate(data)
    except ValidationError as exc:
        raise _taxonomy_error(exc, path) from None
    return file.taxonomy(f"taxonomy {path}")


def read_taxonomy(path: str | os.PathLike) -> Taxonomy:
    """Read a ``bunrui.toml`` file."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise TaxonomyError(f"cannot read the taxonomy file: {exc.strerror}", path=path) from None
    except UnicodeDecodeError:
        raise TaxonomyError("the taxonomy file is not UTF-8", path=path) from None
    return parse_taxonomy(text, path)
