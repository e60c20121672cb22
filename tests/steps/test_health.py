"""flows/steps/health.py: when a crawl that raised nothing has failed all the same."""

from __future__ import annotations

from typing import Any

from flows.steps.health import reached, unreached_reason, verdict


def _source(name: str, fetched: int = 0, unchanged: int = 0, **more: Any) -> dict[str, Any]:
    return {"source": name, "fetched": fetched, "unchanged": unchanged, "failed": {}, "deferred": 0, **more}


def _run(*sources: dict[str, Any]) -> dict[str, Any]:
    return {"run_id": "crawl-x", "sources": list(sources)}


def test_a_source_is_reached_when_a_page_came_back_fetched_or_not_modified() -> None:
    assert reached(_source("a", fetched=1)) and reached(_source("a", unchanged=3))
    assert not reached(_source("a", deferred=4))
    assert not reached(_source("a", failed={"http 404": 2}))
    assert not reached(_source("a", fetched=2, error="RuntimeError: boom"))


def test_the_reason_says_what_happened_to_the_pages() -> None:
    assert unreached_reason(_source("a", deferred=4)) == "4 deferred"
    assert unreached_reason(_source("a", failed={"robots": 1, "http 404": 2}, deferred=1)) == (
        "2 http 404, 1 robots, 1 deferred"
    )
    assert unreached_reason(_source("a", error="no route")) == "failed: no route"
    assert unreached_reason(_source("a")) == "no page to fetch"


def test_a_run_that_reached_no_source_fails_at_once() -> None:
    run = _run(_source("a.vn", deferred=4), _source("b.vn", failed={"connect": 2}))
    assert verdict(run, [], 3) == "reached nothing: a.vn 4 deferred; b.vn 2 connect"
    assert verdict(_run(_source("a.vn", deferred=4), _source("b.vn", unchanged=1)), [], 3) is None
    assert verdict(_run(), [], 3) is None  # nothing to crawl is not a failure of the network


def test_a_source_unreached_n_runs_in_a_row_fails_the_run() -> None:
    down, up = _source("b.vn", deferred=2), _source("b.vn", fetched=5)
    now = _run(_source("a.vn", fetched=3), down)
    assert verdict(now, [], 3) is None  # one bad night is reported, not failed
    assert verdict(now, [_run(down)], 3) is None
    assert verdict(now, [_run(down), _run(_source("a.vn", fetched=1), down)], 3) == (
        "b.vn reached nothing in 3 runs in a row (2 deferred)"
    )
    assert verdict(now, [_run(down), _run(up), _run(down)], 3) is None  # the streak was broken
    only_a = _run(_source("a.vn", fetched=1))  # a run of other sources says nothing about b.vn
    assert verdict(now, [only_a, _run(down), only_a, _run(down)], 3) is not None
    assert verdict(now, [], 1) == "b.vn reached nothing this run (2 deferred)"
