"""Figures said again or said in two parts: one figure per fact.

* **References**: "Trong số 1.3 triệu lượt người …" repeats an earlier figure, and what its
  sentence says next is a part of it (:func:`follow_references`).
* **Ranges of one unit**: "từ 500.000 đồng đến 1 triệu đồng" is one range (:func:`join_unit_ranges`).
* **Repeats**: a figure said again becomes a mention of the first (:func:`one_per_fact`).
* **Headlines**: a headline figure is a first mention or a fact of its own, never a rounding
  of a body figure (:func:`keep_headline`).

The spec's key of a fact is kind, role, value, value_max and approx, and two things that share a
number are two figures. For gifts and other counts the kind does not say which thing is counted:
"1.000 suất ăn" and "1.000 phần quà" are two facts. So for those kinds the unit words are part of
the key, with the synonyms of ``[facts] same_thing`` ("phần quà" = "suất quà") counted as one.

A rounded headline and the exact body ("Hơn 69.000 …", "69.386 …") differ in value, so they are
two figures by the spec's key.

Figures never overlap: a figure that starts inside the one before it is dropped.
"""

from __future__ import annotations

import re
from dataclasses import replace

from extractors import _lexicon as lx
from extractors._clauses import Context, Reading
from extractors.normalize import match_form
from extractors.numbers import joins_range, range_start
from extractors.record import Figure

__all__ = ["FIXED_ROLE_KINDS", "follow_references", "join_unit_ranges", "keep_headline", "one_per_fact"]

_SAME = {lx.form(p): group[0] for group in lx.section("facts", "same_thing") for p in group}
_THING_KINDS = frozenset(lx.section("facts", "thing_kinds"))
#: Kinds whose role the kind itself fixes: they neither vote for the article's voice nor follow
#: references (see ``figures._role``).
FIXED_ROLE_KINDS = ("donations_per_person", "members")
_REFERENCE_BEFORE = re.compile(
    rf"(?:{lx.phrase_pattern(lx.section('roles', 'reference_before')).pattern})\s(?:(?:{lx.hedge_alternation()})\s)?$"
)


def _thing(fig: Figure) -> str:
    if fig.kind not in _THING_KINDS or not fig.unit_text:
        return ""
    unit = match_form(fig.unit_text)
    return _SAME.get(unit, unit)


def _key(fig: Figure) -> tuple[object, ...]:
    return (fig.kind, _thing(fig), fig.role, float(fig.value), fig.value_max, fig.approx)


def keep_headline(figures: list[Figure], headline: tuple[int, int]) -> list[Figure]:
    """The figures of the headline (``headline`` is its span) that are facts of the article: the
    first mention of a body figure (same key), or a count the body does not state ("Công an tỉnh …
    hiến 352 đơn vị máu" over a body that counts 352 donors and a goal of 300 units). A headline
    figure is no fact of its own when it restates a body count of its kind: the same number in other
    words ("25 nhà ở" over "25 ngôi nhà"), or a rounding of it, hedged or round, within a quarter
    ("Hơn 400 …" over "450 …", "2.700 …" over "2.746 …")."""
    start, end = headline
    body = [f for f in figures if not start <= f.start < end]
    keys = {_key(f) for f in body}

    def restates(f: Figure, g: Figure) -> bool:
        if g.kind != f.kind or not g.value:
            return False
        if float(f.value) == float(g.value):
            return True
        rounded = f.approx is not None or (float(f.value) >= 100 and float(f.value) % 100 == 0)
        return (
            _thing(f) == _thing(g)
            and rounded
            and abs(float(f.value) - float(g.value)) <= 0.25 * float(g.value)
        )

    return [
        f
        for f in figures
        if not start <= f.start < end or _key(f) in keys or not any(restates(f, g) for g in body)
    ]


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


def follow_references(mf: str, ctx: Context, figures: list[Figure]) -> list[Figure]:
    """ "Trong số 1.3 triệu lượt người …, có 58,6% …": a number after "trong số" that repeats an
    earlier figure (value and kind) is that figure again, and the rest of its sentence is a part
    of it: they take its role."""
    out = list(figures)
    for i, fig in enumerate(out):
        if not _REFERENCE_BEFORE.search(mf, max(0, fig.start - 30), fig.start):
            continue
        earlier = next((f for f in reversed(out[:i]) if (f.value, f.kind) == (fig.value, fig.kind)), None)
        if earlier is None:
            continue
        _, sent_end = ctx.sentence_span(fig.start)
        for j in range(i, len(out)):
            if out[j].start >= sent_end:
                break
            if out[j].kind not in FIXED_ROLE_KINDS:
                out[j] = replace(out[j], role=earlier.role)
    return out


def join_unit_ranges(text: str, mf: str, found: list[tuple[Figure, Reading]]) -> list[tuple[Figure, Reading]]:
    """ "từ 500.000 đồng đến 1 triệu đồng": two figures of one unit joined by "đến" are one range."""
    out: list[tuple[Figure, Reading]] = []
    i = 0
    while i < len(found):
        a, reading = found[i]
        if i + 1 < len(found) and a.value_max is None:
            b = found[i + 1][0]
            start = range_start(mf, a.start)
            if (
                start < a.start
                and joins_range(mf, a.end, b.start)
                and b.value_max is None
                and (a.kind, match_form(a.unit_text or "")) == (b.kind, match_form(b.unit_text or ""))
                and b.value > a.value
            ):
                joined = replace(
                    a, value_max=b.value, approx="range", quote=text[start : b.end], start=start, end=b.end
                )
                out.append((joined, reading))
                i += 2
                continue
        out.append((a, reading))
        i += 1
    return out
