"""A read-only mapping that pickles: results of the physics are cached (flask-caching pickles
them), so their inner tables must survive a round trip; ``types.MappingProxyType`` does not."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


class FrozenMapping(Mapping):
    """An immutable dict-like view of a private copy of ``data``."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping | None = None, **kw: Any):
        object.__setattr__(self, "_data", dict(data or {}, **kw))

    def __setattr__(self, name: str, value: Any):
        raise AttributeError("FrozenMapping is immutable")

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"FrozenMapping({self._data!r})"

    def __reduce__(self):
        return FrozenMapping, (self._data,)
