"""The WARC archive: write (gzip per record, digests, rotation, torn-tail recovery), read,
verify, index as CDXJ. Speaks no SQL: the warehouse's ``captures`` table is its index."""

__all__: list[str] = []
