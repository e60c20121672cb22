-- 006_stored_summaries: the year-over-year summary kept as tables, so a campaign's history
-- answers in milliseconds whatever the size of the warehouse.
-- Runs inside one transaction (warehouse/db.py); no BEGIN/COMMIT here.
--
-- summary_by_year holds the rows of the view campaign_year_summary, articles_by_year those
-- of the view campaign_year_articles. Every load of articles (crawl, re-extraction, import)
-- recomputes the rows of the campaign keys it touched, in its own transaction
-- (warehouse/load.py); an alias change recomputes the keys of that organiser; views.sql
-- recomputes them whole whenever the view definitions change (so right after this migration).

CREATE TABLE summary_by_year (
    campaign_key        VARCHAR NOT NULL,
    campaign_name       VARCHAR,
    campaign_organizer  VARCHAR,
    year                INTEGER NOT NULL,
    kind                VARCHAR NOT NULL,
    target_value        DOUBLE,
    target_value_max    DOUBLE,
    target_approx       VARCHAR,
    target_articles     BIGINT NOT NULL,
    target_support      BIGINT NOT NULL,
    target_conflict     BOOLEAN NOT NULL,
    target_quote        VARCHAR,
    target_url          VARCHAR,
    achieved_value      DOUBLE,
    achieved_value_max  DOUBLE,
    achieved_approx     VARCHAR,
    achieved_articles   BIGINT NOT NULL,
    achieved_support    BIGINT NOT NULL,
    achieved_conflict   BOOLEAN NOT NULL,
    achieved_quote      VARCHAR,
    achieved_url        VARCHAR,
    conflict            BOOLEAN NOT NULL
);

CREATE TABLE articles_by_year (
    campaign_key          VARCHAR NOT NULL,
    campaign_organizer    VARCHAR,
    year                  INTEGER,          -- NULL: articles without a campaign year
    campaign_name         VARCHAR,
    articles              BIGINT NOT NULL,
    inferred_articles     BIGINT NOT NULL,  -- whose organiser was inferred (latest_articles)
    organizers_as_written VARCHAR[] NOT NULL,
    organizer_candidates  VARCHAR[] NOT NULL
);
