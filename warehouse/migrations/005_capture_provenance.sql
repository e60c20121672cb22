-- 005_capture_provenance: where each capture came from, and the WARC files brought in by import.
-- Runs inside one transaction (warehouse/db.py); no BEGIN/COMMIT here.

-- One row per capture: a crawl run, a backfill run, or the import of a file (run + file).
CREATE TABLE IF NOT EXISTS capture_origins (
    capture_id  VARCHAR PRIMARY KEY,
    origin      VARCHAR NOT NULL CHECK (origin IN ('crawl', 'backfill', 'import')),
    run_id      VARCHAR,
    source_file VARCHAR   -- for an import: the file as the user named it (a WACZ member: "x.wacz!archive/y.warc.gz")
);

-- Every WARC file import copied into the archive folder, by the sha256 of its bytes:
-- importing the same file again (under any name) adds nothing.
CREATE TABLE IF NOT EXISTS imported_files (
    sha256      VARCHAR PRIMARY KEY,
    warc_file   VARCHAR NOT NULL,      -- its name in the archive folder (the captures' warc_file)
    source_file VARCHAR NOT NULL,
    bytes       BIGINT NOT NULL,
    run_id      VARCHAR NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    summary     JSON                   -- records counted by reason
);

-- Captures indexed before this migration were all made by crawl runs.
INSERT INTO capture_origins (capture_id, origin, run_id)
SELECT c.capture_id, 'crawl', any_value(f.run_id)
FROM captures AS c LEFT JOIN fetches AS f ON f.capture_id = c.capture_id
GROUP BY c.capture_id;
