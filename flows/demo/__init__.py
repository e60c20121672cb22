"""The demo: local news sites on 127.0.0.1 served from ``fixtures/``, and ``campaigns demo``,
which crawls them with the nightly flow."""

__all__: list[str] = []
