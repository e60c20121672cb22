"""Everything that runs the pipeline: the ``campaigns`` CLI, the Prefect flows, the plain steps
they wrap, the crawler, the demo sites and the settings.

Layers (held by ``lint-imports``): ``cli`` → ``demo`` → ``orchestration`` → ``steps`` →
``crawler`` → ``config``, above ``warehouse`` → ``extractors`` → ``errors``.
"""

__all__: list[str] = []
