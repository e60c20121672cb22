-- 001_core: the crawl log, the WARC index, the article records and their figures.
-- Runs inside one transaction (warehouse/db.py); no BEGIN/COMMIT here.
-- See warehouse/SCHEMA.md for the key diagram.

-- The news sites crawled, by the name given in the config ([[sources]] name).
CREATE TABLE sources (
    name            VARCHAR PRIMARY KEY,
    first_fetched_at TIMESTAMPTZ,
    last_fetched_at  TIMESTAMPTZ,
    fetches         BIGINT NOT NULL DEFAULT 0
);

-- One row per URL per crawl run: how it ended. fetch_id = hash(run_id, url), or
-- hash(url, fetched_at) for a fetch outside a run.
CREATE TABLE fetches (
    fetch_id      VARCHAR PRIMARY KEY,
    run_id        VARCHAR,
    source        VARCHAR,
    url           VARCHAR NOT NULL,
    final_url     VARCHAR,
    status        INTEGER,
    error         VARCHAR,
    outcome       VARCHAR NOT NULL CHECK (outcome IN ('fetched', 'not_modified', 'failed', 'deferred')),
    kind          VARCHAR NOT NULL,
    bytes         BIGINT NOT NULL DEFAULT 0,
    fetched_at    TIMESTAMPTZ NOT NULL,
    content_type  VARCHAR,
    etag          VARCHAR,
    last_modified VARCHAR,
    capture_id    VARCHAR,
    warc_file     VARCHAR,
    warc_offset   BIGINT
);

-- The WARC index: where each archived response (or revisit) record lives.
CREATE TABLE captures (
    capture_id     VARCHAR PRIMARY KEY,
    url            VARCHAR NOT NULL,
    fetched_at     TIMESTAMPTZ NOT NULL,
    status         INTEGER NOT NULL,
    content_type   VARCHAR,
    payload_digest VARCHAR NOT NULL,
    warc_file      VARCHAR NOT NULL,
    "offset"       BIGINT NOT NULL CHECK ("offset" >= 0),
    length         BIGINT NOT NULL CHECK (length > 0),
    record_type    VARCHAR NOT NULL CHECK (record_type IN ('response', 'revisit')),
    refers_to      VARCHAR
);
CREATE INDEX captures_url_digest ON captures (url, payload_digest);

-- Each run of the pipeline (crawl, extract, re-extract) and what it did.
CREATE TABLE extraction_runs (
    run_id            VARCHAR PRIMARY KEY,
    kind              VARCHAR NOT NULL,
    extractor_version VARCHAR NOT NULL,
    params            JSON,
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ,
    summary           JSON
);

-- One article record per (natural key, extractor version): old versions stay
-- beside new ones. article_key = coalesce(canonical_url, url);
-- article_id = hash(article_key, extractor_version).
CREATE TABLE articles (
    article_id         VARCHAR PRIMARY KEY,
    article_key        VARCHAR NOT NULL,
    url                VARCHAR NOT NULL,
    canonical_url      VARCHAR,
    site               VARCHAR NOT NULL,
    title              VARCHAR,
    published          VARCHAR,      -- as the record has it (ISO 8601 with offset)
    published_at       TIMESTAMPTZ,  -- the same, parsed; NULL when unparseable
    section            VARCHAR,
    language           VARCHAR,
    text               VARCHAR NOT NULL,
    campaign_key       VARCHAR,
    campaign_organizer VARCHAR,
    campaign_name      VARCHAR,
    campaign_year      INTEGER,
    extractor_version  VARCHAR NOT NULL CHECK (extractor_version <> ''),
    version_sort       VARCHAR NOT NULL, -- zero-padded numeric parts: orders 0.10.0 after 0.9.0
    capture_id         VARCHAR,
    run_id             VARCHAR,
    content_sha256     VARCHAR NOT NULL, -- of the record + capture: an identical reload changes nothing
    loaded_at          TIMESTAMPTZ NOT NULL,
    UNIQUE (article_key, extractor_version)
);

-- The numbers of each article, with the words they came from: text[start:end] = quote.
CREATE TABLE figures (
    article_id        VARCHAR NOT NULL,
    ordinal           INTEGER NOT NULL,
    value             DOUBLE NOT NULL,
    value_max         DOUBLE,
    approx            VARCHAR CHECK (approx IN ('more_than', 'nearly', 'about', 'at_least', 'range')),
    kind              VARCHAR NOT NULL CHECK (kind IN ('blood_units', 'participants', 'registrations', 'sites',
                          'hospitals', 'members', 'patients', 'donations_per_person', 'gifts', 'money_vnd',
                          'days', 'other')),
    role              VARCHAR NOT NULL CHECK (role IN ('target', 'achieved', 'cumulative', 'other')),
    unit_text         VARCHAR,
    quote             VARCHAR NOT NULL,
    "start"           INTEGER NOT NULL CHECK ("start" >= 0),
    "end"             INTEGER NOT NULL CHECK ("end" >= "start"),
    extractor_version VARCHAR NOT NULL,
    capture_id        VARCHAR,
    PRIMARY KEY (article_id, ordinal)
);

-- Hospitals and blood institutes named in each article.
CREATE TABLE hospitals (
    article_id        VARCHAR NOT NULL,
    ordinal           INTEGER NOT NULL,
    name              VARCHAR NOT NULL,
    "start"           INTEGER NOT NULL CHECK ("start" >= 0),
    "end"             INTEGER NOT NULL CHECK ("end" >= "start"),
    extractor_version VARCHAR NOT NULL,
    PRIMARY KEY (article_id, ordinal)
);

-- Known campaigns (key + organizer), rebuilt from the latest article versions after every load.
-- campaign_id = md5(key || chr(31) || coalesce(organizer, '')): organizer may be unknown (NULL).
CREATE TABLE campaigns (
    campaign_id    VARCHAR PRIMARY KEY,
    key            VARCHAR NOT NULL,
    organizer      VARCHAR,
    name           VARCHAR,
    years          INTEGER[] NOT NULL,
    articles       BIGINT NOT NULL,
    figures        BIGINT NOT NULL,
    first_published TIMESTAMPTZ,
    last_published  TIMESTAMPTZ
);
