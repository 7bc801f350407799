"""Text and JSON forms of protocol and message objects.

Every packet-library class and every OpenFlow message class prints as
``name(field=value,...)`` with the public attributes in alphabetical order,
and converts to and from a JSON-compatible dict of the form
``{"ClassName": {"field": value, ...}}``, the forms Ryu's tools print and
store.  The encoding rules, which match Ryu's so that stored documents stay
readable:

* ``bytes`` become base64 text;
* ``str`` attributes listed in the class's ``_TYPE = {"ascii": [...]}``
  (addresses, names) stay text; any other text is taken to be base64 when it
  is decoded again;
* nested objects become ``{"ClassName": {...}}`` and lists stay lists.
"""

from __future__ import annotations

import base64
import builtins
import functools
import inspect
import keyword
from typing import Any, ClassVar

_REGISTRY: dict[str, list[type]] = {}

# Attributes named after a builtin or keyword carry a trailing underscore
# (``type_``, ``id_``); their text and JSON forms drop it, as Ryu's do.
_RESERVED = frozenset(dir(builtins)) | frozenset(keyword.kwlist)


def _shown_name(name: str) -> str:
    if name.endswith("_") and name[:-1] in _RESERVED:
        return name[:-1]
    return name


def _is_public(name: str) -> bool:
    return not name.startswith("_")


@functools.cache
def _slot_names(cls: type) -> tuple[str, ...]:
    names: list[str] = []
    for klass in reversed(cls.__mro__):
        slots = klass.__dict__.get("__slots__", ())
        if isinstance(slots, str):
            slots = (slots,)
        names.extend(s for s in slots if _is_public(s) and s != "__dict__")
    return tuple(names)


@functools.cache
def _ctor_params(cls: type) -> tuple[frozenset[str], bool]:
    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return frozenset(), True
    names = set()
    var_kw = False
    for p in list(sig.parameters.values())[1:]:
        if p.kind is p.VAR_KEYWORD:
            var_kw = True
        elif p.kind is not p.VAR_POSITIONAL:
            names.add(p.name)
    return frozenset(names), var_kw


class StringifyMixin:
    """Gives ``__str__``, ``__repr__``, ``__eq__``, ``to_jsondict`` and ``from_jsondict``.

    Attributes are found in ``_fields`` when a class declares it, otherwise in
    the instance ``__dict__`` and ``__slots__`` (public names only).
    """

    __slots__ = ()
    _TYPE: ClassVar[dict[str, list[str]]] = {}
    _fields: ClassVar[tuple[str, ...] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY.setdefault(cls.__name__, []).append(cls)

    # -- attribute enumeration -------------------------------------------
    def stringify_attrs(self) -> list[tuple[str, Any]]:
        """Return ``(name, value)`` for each public attribute, sorted by name."""
        fields = self._fields
        if fields is not None:
            return [(k, getattr(self, k)) for k in fields]
        d = getattr(self, "__dict__", None)
        items = {k: v for k, v in d.items() if _is_public(k)} if d else {}
        for k in _slot_names(type(self)):
            if k not in items:
                try:
                    items[k] = getattr(self, k)
                except AttributeError:
                    continue
        return sorted(items.items())

    def __str__(self) -> str:
        body = ",".join(f"{_shown_name(k)}={v!r}" for k, v in self.stringify_attrs())
        return f"{type(self).__name__}({body})"

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        return self.stringify_attrs() == other.stringify_attrs()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    # -- JSON --------------------------------------------------------------
    @classmethod
    def _ascii_fields(cls) -> list[str]:
        return cls._TYPE.get("ascii", []) + cls._TYPE.get("utf-8", [])

    @classmethod
    def _encode_value(cls, key: str, value: Any) -> Any:
        if isinstance(value, StringifyMixin):
            return value.to_jsondict()
        if isinstance(value, (bytes, bytearray, memoryview)):
            return base64.b64encode(bytes(value)).decode("ascii")
        if isinstance(value, (list, tuple)):
            return [cls._encode_value(key, v) for v in value]
        if isinstance(value, dict):
            return {str(k): cls._encode_value(key, v) for k, v in value.items()}
        return value

    def to_jsondict(self) -> dict[str, Any]:
        """Return ``{"ClassName": {attribute: json value, ...}}``."""
        body = {_shown_name(k): self._encode_value(k, v) for k, v in self.stringify_attrs()}
        return {type(self).__name__: body}

    @classmethod
    def _resolve_class(cls, name: str) -> type | None:
        import sys

        module = sys.modules.get(cls.__module__)
        candidate = getattr(module, name, None) if module else None
        if isinstance(candidate, type) and issubclass(candidate, StringifyMixin):
            return candidate
        candidate = getattr(cls, name, None)
        if isinstance(candidate, type) and issubclass(candidate, StringifyMixin):
            return candidate
        found = _REGISTRY.get(name, [])
        return found[0] if len(found) == 1 else None

    @classmethod
    def _decode_value(cls, key: str, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((name, inner),) = value.items()
            if isinstance(inner, dict):
                klass = cls._resolve_class(name)
                if klass is not None:
                    return klass.from_jsondict(inner)
            return {k: cls._decode_value(key, v) for k, v in value.items()}
        if isinstance(value, dict):
            return {k: cls._decode_value(key, v) for k, v in value.items()}
        if isinstance(value, list):
            return [cls._decode_value(key, v) for v in value]
        if isinstance(value, str) and key not in cls._ascii_fields():
            return base64.b64decode(value)
        return value

    @classmethod
    def from_jsondict(cls, dict_: dict[str, Any], **additional_args: Any):
        """Build an instance from the inner dict of :meth:`to_jsondict`'s result."""
        params, var_kw = _ctor_params(cls)
        kwargs: dict[str, Any] = {}
        for key, value in dict_.items():
            decoded = cls._decode_value(key, value)
            if key in params:
                kwargs[key] = decoded
            elif key + "_" in params:
                kwargs[key + "_"] = decoded
            elif var_kw:
                kwargs[key] = decoded
        kwargs.update(additional_args)
        return cls(**kwargs)
