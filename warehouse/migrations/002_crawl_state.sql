-- 002_crawl_state: the crawler's incremental state (warehouse/crawlstate.py writes it).
-- Runs inside one transaction (warehouse/db.py); no BEGIN/COMMIT here.

-- Every article URL discovered, and where it stands. A row is 'pending' from discovery
-- until a fetch result is recorded, so a crawl killed half-way resumes from here.
-- status: pending | fetched | not_modified | failed | deferred.
CREATE TABLE IF NOT EXISTS frontier (
    url           VARCHAR PRIMARY KEY,   -- canonical (flows.urls.canonicalize_url)
    source        VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL DEFAULT 'article',
    status        VARCHAR NOT NULL
                  CHECK (status IN ('pending', 'fetched', 'not_modified', 'failed', 'deferred')),
    discovered_at TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    VARCHAR
);

-- What the last fetch of any URL (article, listing, feed, sitemap) returned: the
-- validators for the next conditional GET and a digest of the body.
CREATE TABLE IF NOT EXISTS url_state (
    url             VARCHAR PRIMARY KEY,
    source          VARCHAR,
    kind            VARCHAR,
    etag            VARCHAR,
    last_modified   VARCHAR,
    content_digest  VARCHAR,             -- sha1 hex of the decoded body of the last 2xx
    last_status     INTEGER,
    last_outcome    VARCHAR,
    final_url       VARCHAR,
    last_fetched_at TIMESTAMPTZ
);
