"""One figure per fact: repeats of a figure become its ``mentions``.

The spec's key of a fact is kind, role, value, value_max and approx, and two things that share a
number are two figures. For gifts and other counts the kind does not say which thing is counted:
"1.000 suất ăn" and "1.000 phần quà" are two facts. So for those kinds the unit words are part of
the key, with the synonyms of ``[facts] same_thing`` ("phần quà" = "suất quà") counted as one.

A rounded headline and the exact body ("Hơn 69.000 …", "69.386 …") differ in value, so they are
two figures by the spec's key.

Figures never overlap: a figure that starts inside the one before it is dropped.
"""

from __future__ import annotations

from dataclasses import replace

from extractors import _lexicon as lx
from extractors.normalize import match_form
from extractors.record import Figure

__all__ = ["one_per_fact"]

_SAME = {lx.form(p): group[0] for group in lx.section("facts", "same_thing") for p in group}
_THING_KINDS = frozenset(lx.section("facts", "thing_kinds"))


def _thing(fig: Figure) -> str:
    if fig.kind not in _THING_KINDS or not fig.unit_text:
        return ""
    unit = match_form(fig.unit_text)
    return _SAME.get(unit, unit)


def _key(fig: Figure) -> tuple[object, ...]:
    return (fig.kind, _thing(fig), fig.role, float(fig.value), fig.value_max, fig.approx)


def one_per_fact(figures: list[Figure]) -> tuple[Figure, ...]:
    """Figures in text order, one per fact, ``mentions`` counting how often each is stated."""
    out: list[Figure] = []
    first: dict[tuple[object, ...], int] = {}
    end = 0
    for fig in figures:
        if fig.start < end:
            continue
        end = fig.end
        key = _key(fig)
        if key in first:
            i = first[key]
            out[i] = replace(out[i], mentions=out[i].mentions + 1)
            continue
        first[key] = len(out)
        out.append(fig)
    return tuple(out)
