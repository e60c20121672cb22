-- Views over the LATEST extractor version of each article, and the stored summaries.
-- Re-run by warehouse/db.py whenever a migration ran or this file changed (no BEGIN/COMMIT
-- here): the macros and views are re-created and the stored tables (summary_by_year,
-- articles_by_year, campaigns) recomputed whole from them.
--
-- Each view is a table macro `<view>_of(keys)` called with NULL (every campaign key); the
-- loader calls the macros with the campaign keys a batch touched, to refresh only those
-- rows of the stored tables in the load's own transaction (warehouse/load.py).

-- The newest extractor version of each article (natural key: canonical URL, else URL).
-- campaign_organizer is the name the organiser goes on under (organizer_aliases: the 2025
-- merger of provinces), so a campaign's years join across a rename; organizer_as_written
-- keeps the article's own words. An article that names no organiser takes the organiser
-- of its campaign key on its site when the site's other articles of that key name exactly
-- one (organizer_inferred); with two or more, it stays without one and
-- organizer_candidates lists them.
CREATE OR REPLACE MACRO latest_articles_of(keys) AS TABLE
SELECT
    l.* EXCLUDE (named) REPLACE (
        CASE WHEN l.campaign_organizer IS NULL AND len(l.named) = 1 THEN l.named[1]
             ELSE l.campaign_organizer END AS campaign_organizer
    ),
    coalesce(l.campaign_organizer IS NULL AND len(l.named) = 1, false) AS organizer_inferred,
    CASE WHEN l.campaign_organizer IS NULL AND len(l.named) > 1 THEN l.named END AS organizer_candidates
FROM (
    SELECT
        a.* REPLACE (coalesce(al.organizer, a.campaign_organizer) AS campaign_organizer),
        a.campaign_organizer AS organizer_as_written,
        -- the organisers the site's articles of this campaign key name
        list_sort(list(DISTINCT coalesce(al.organizer, a.campaign_organizer))
            FILTER (WHERE a.campaign_key IS NOT NULL AND a.campaign_organizer IS NOT NULL)
            OVER (PARTITION BY a.site, a.campaign_key)) AS named
    FROM (
        SELECT *
        FROM articles
        WHERE keys IS NULL
           OR article_key IN (SELECT article_key FROM articles WHERE list_contains(keys, campaign_key))
        QUALIFY row_number() OVER (
            PARTITION BY article_key
            ORDER BY version_sort DESC, loaded_at DESC, article_id
        ) = 1
    ) AS a
    LEFT JOIN organizer_aliases AS al ON al.alias = lower(a.campaign_organizer)
    WHERE keys IS NULL OR list_contains(keys, a.campaign_key)
) AS l;

CREATE OR REPLACE VIEW latest_articles AS SELECT * FROM latest_articles_of(NULL);

-- Every figure of the latest articles, with its campaign, its article and its archived capture.
CREATE OR REPLACE MACRO campaign_figures_of(keys) AS TABLE
SELECT
    a.campaign_key,
    a.campaign_name,
    a.campaign_organizer,
    a.organizer_as_written,
    a.campaign_year,
    a.article_id,
    a.site,
    a.url,
    a.canonical_url,
    coalesce(a.canonical_url, a.url) AS source_url,
    a.title,
    a.published,
    a.published_at,
    f.ordinal,
    f.value,
    f.value_max,
    f.approx,
    f.kind,
    f.role,
    f.unit_text,
    f.quote,
    f."start",
    f."end",
    f.mentions,
    a.extractor_version,
    a.capture_id,
    c.warc_file,
    c."offset" AS warc_offset,
    c.fetched_at AS captured_at,
    a.organizer_inferred
FROM latest_articles_of(keys) AS a
JOIN figures AS f ON f.article_id = a.article_id
LEFT JOIN captures AS c ON c.capture_id = a.capture_id;

CREATE OR REPLACE VIEW campaign_figures AS SELECT * FROM campaign_figures_of(NULL);

-- One row per campaign key x organizer x year x kind: the target and the achieved value.
--
-- Per article, one figure per kind and role stands for it: the largest (a total, not
-- its breakdown), exact before hedged. Each stands for an interval of what it may
-- mean. step is the rounding of v (1.600 -> 100, 2.000 -> 1.000, 1.643 -> 1):
--   exact [v, v]                       "ít nhất v" [v, inf)
--   "hơn v"  [v, v + min(step, 30% v)]  a range    [v, value_max or inf)
--   "gần v"  [v - min(step, 10% v), v]  "khoảng v" v -/+ min(step, 10% v)
-- so "hơn 1.600" is 1.600-1.700, "hơn 1.000" 1.000-1.300, "gần 2.000" 1.800-2.000.
-- Articles conflict when their intervals share no point: 1.643 and "hơn 1.600"
-- agree; 1.643 and 1.702, or "hơn 1.700" and 1.643, do not -- except a running total
-- published on an earlier day of the drive (see pair_conflicts). The value shown is exact
-- if any article is exact, then the latest-published (the closing figure);
-- *_support counts the articles whose interval holds it, *_articles the articles
-- reporting the kind and role at all. Cumulative and other roles are left out.
CREATE OR REPLACE MACRO campaign_year_summary_of(keys) AS TABLE
WITH f AS (
    SELECT
        campaign_key, campaign_organizer, campaign_year AS year, campaign_name,
        article_id, url, published_at, kind, role, value, value_max, approx, quote, "start"
    FROM campaign_figures_of(keys)
    WHERE campaign_key IS NOT NULL
      AND campaign_year IS NOT NULL
      AND role IN ('target', 'achieved')
),
per_article AS (
    SELECT *
    FROM f
    QUALIFY row_number() OVER (
        PARTITION BY campaign_key, campaign_organizer, year, article_id, kind, role
        ORDER BY value DESC, (approx IS NULL) DESC, "start"
    ) = 1
),
stepped AS (
    SELECT
        *,
        CASE
            WHEN value = trunc(value) AND value <> 0 AND abs(value) < 1e18 THEN
                pow(10, length(CAST(CAST(abs(value) AS HUGEINT) AS VARCHAR))
                        - length(rtrim(CAST(CAST(abs(value) AS HUGEINT) AS VARCHAR), '0')))
            ELSE 1
        END AS step
    FROM per_article
),
bounded AS (
    SELECT
        *,
        CASE approx
            WHEN 'nearly' THEN value - least(step, 0.1 * abs(value))
            WHEN 'about' THEN value - least(step, 0.1 * abs(value))
            ELSE value
        END AS lo,
        CASE approx
            WHEN 'more_than' THEN value + least(step, 0.3 * abs(value))
            WHEN 'nearly' THEN value
            WHEN 'about' THEN value + least(step, 0.1 * abs(value))
            WHEN 'at_least' THEN CAST('inf' AS DOUBLE)
            WHEN 'range' THEN coalesce(value_max, CAST('inf' AS DOUBLE))
            ELSE value
        END AS hi
    FROM stepped
),
ranked AS (
    SELECT
        *,
        first_value(value) OVER g AS chosen_value,
        first_value(value_max) OVER g AS chosen_value_max,
        first_value(approx) OVER g AS chosen_approx,
        first_value(quote) OVER g AS chosen_quote,
        first_value(url) OVER g AS chosen_url
    FROM bounded
    WINDOW g AS (
        PARTITION BY campaign_key, campaign_organizer, year, kind, role
        ORDER BY (approx IS NULL) DESC, published_at DESC NULLS LAST, value DESC, article_id
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    )
),
by_role AS (
    SELECT
        campaign_key, campaign_organizer, year, kind, role,
        max(campaign_name) AS campaign_name,
        any_value(chosen_value) AS value,
        any_value(chosen_value_max) AS value_max,
        any_value(chosen_approx) AS approx,
        any_value(chosen_quote) AS quote,
        any_value(chosen_url) AS url,
        count(*) AS articles,
        count(*) FILTER (WHERE chosen_value BETWEEN lo AND hi) AS support
    FROM ranked
    GROUP BY campaign_key, campaign_organizer, year, kind, role
),
-- The drive closed when the first article agreeing with the value shown came out.
closing AS (
    SELECT campaign_key, campaign_organizer, year, kind, role, min(published_at) AS closed_at
    FROM ranked
    WHERE chosen_value BETWEEN lo AND hi
    GROUP BY ALL
),
-- Two articles conflict when one says more than the other allows, unless the smaller
-- is an achieved figure published on an earlier day than the close, at most 14 days
-- before it: a running total of the drive ("tính đến 15h ngày 23-4 đã tiếp nhận 1.734").
pair_conflicts AS (
    SELECT a.campaign_key, a.campaign_organizer, a.year, a.kind, a.role
    FROM bounded AS a
    JOIN bounded AS b
      ON a.campaign_key = b.campaign_key
     AND a.campaign_organizer IS NOT DISTINCT FROM b.campaign_organizer
     AND a.year = b.year AND a.kind = b.kind AND a.role = b.role
     AND a.article_id <> b.article_id
    LEFT JOIN closing AS c
      ON c.campaign_key = a.campaign_key
     AND c.campaign_organizer IS NOT DISTINCT FROM a.campaign_organizer
     AND c.year = a.year AND c.kind = a.kind AND c.role = a.role
    WHERE a.lo > b.hi * (1 + 1e-9)
      AND NOT coalesce(
          a.role = 'achieved'
          AND CAST(b.published_at AS DATE) < CAST(c.closed_at AS DATE)
          AND c.closed_at - b.published_at <= INTERVAL 14 DAY,
          false
      )
    GROUP BY ALL
),
by_role_flagged AS (
    SELECT r.*, p.campaign_key IS NOT NULL AS conflict
    FROM by_role AS r
    LEFT JOIN pair_conflicts AS p
      ON p.campaign_key = r.campaign_key
     AND p.campaign_organizer IS NOT DISTINCT FROM r.campaign_organizer
     AND p.year = r.year AND p.kind = r.kind AND p.role = r.role
)
SELECT
    campaign_key,
    max(campaign_name) AS campaign_name,
    campaign_organizer,
    year,
    kind,
    any_value(value) FILTER (WHERE role = 'target') AS target_value,
    any_value(value_max) FILTER (WHERE role = 'target') AS target_value_max,
    any_value(approx) FILTER (WHERE role = 'target') AS target_approx,
    coalesce(any_value(articles) FILTER (WHERE role = 'target'), 0) AS target_articles,
    coalesce(any_value(support) FILTER (WHERE role = 'target'), 0) AS target_support,
    coalesce(bool_or(conflict) FILTER (WHERE role = 'target'), false) AS target_conflict,
    any_value(quote) FILTER (WHERE role = 'target') AS target_quote,
    any_value(url) FILTER (WHERE role = 'target') AS target_url,
    any_value(value) FILTER (WHERE role = 'achieved') AS achieved_value,
    any_value(value_max) FILTER (WHERE role = 'achieved') AS achieved_value_max,
    any_value(approx) FILTER (WHERE role = 'achieved') AS achieved_approx,
    coalesce(any_value(articles) FILTER (WHERE role = 'achieved'), 0) AS achieved_articles,
    coalesce(any_value(support) FILTER (WHERE role = 'achieved'), 0) AS achieved_support,
    coalesce(bool_or(conflict) FILTER (WHERE role = 'achieved'), false) AS achieved_conflict,
    any_value(quote) FILTER (WHERE role = 'achieved') AS achieved_quote,
    any_value(url) FILTER (WHERE role = 'achieved') AS achieved_url,
    coalesce(bool_or(conflict), false) AS conflict
FROM by_role_flagged
GROUP BY campaign_key, campaign_organizer, year, kind;

CREATE OR REPLACE VIEW campaign_year_summary AS SELECT * FROM campaign_year_summary_of(NULL);

-- One row per campaign key x organizer x year (NULL: articles without a campaign year): the
-- campaign's name in its latest article, how many articles, how many of them had their
-- organiser inferred, the organiser's names as the articles wrote them (both sides of the
-- 2025 merger), and for articles without an organiser the candidates on their sites.
CREATE OR REPLACE MACRO campaign_year_articles_of(keys) AS TABLE
SELECT
    campaign_key,
    campaign_organizer,
    campaign_year AS year,
    arg_max(campaign_name, coalesce(published_at, loaded_at)) AS campaign_name,
    count(*) AS articles,
    count(*) FILTER (WHERE organizer_inferred) AS inferred_articles,
    coalesce(list_sort(list(DISTINCT organizer_as_written) FILTER (WHERE organizer_as_written IS NOT NULL)), [])
        AS organizers_as_written,
    coalesce(list_sort(list_distinct(flatten(list(organizer_candidates)
        FILTER (WHERE organizer_candidates IS NOT NULL)))), []) AS organizer_candidates
FROM latest_articles_of(keys)
WHERE campaign_key IS NOT NULL
GROUP BY campaign_key, campaign_organizer, campaign_year;

CREATE OR REPLACE VIEW campaign_year_articles AS SELECT * FROM campaign_year_articles_of(NULL);

-- The rows of the campaigns table: one per campaign key x organizer.
CREATE OR REPLACE MACRO campaign_rows_of(keys) AS TABLE
SELECT
    md5(a.campaign_key || chr(31) || coalesce(a.campaign_organizer, '')) AS campaign_id,
    a.campaign_key AS key,
    a.campaign_organizer AS organizer,
    arg_max(a.campaign_name, coalesce(a.published_at, a.loaded_at)) AS name,
    coalesce(list_sort(list(DISTINCT a.campaign_year) FILTER (WHERE a.campaign_year IS NOT NULL)), [])
        AS years,
    count(*) AS articles,
    coalesce(sum(fc.n), 0) AS figures,
    min(a.published_at) AS first_published,
    max(a.published_at) AS last_published
FROM latest_articles_of(keys) AS a
LEFT JOIN (SELECT article_id, count(*) AS n FROM figures GROUP BY article_id) AS fc
    ON fc.article_id = a.article_id
WHERE a.campaign_key IS NOT NULL
GROUP BY a.campaign_key, a.campaign_organizer;

-- Year-over-year change per campaign key x organizer x kind, over the stored summary.
CREATE OR REPLACE VIEW campaign_yoy AS
SELECT
    campaign_key,
    campaign_name,
    campaign_organizer,
    kind,
    year,
    target_value,
    achieved_value,
    target_conflict,
    achieved_conflict,
    conflict,
    lag(year) OVER w AS prev_year,
    lag(target_value) OVER w AS prev_target_value,
    lag(achieved_value) OVER w AS prev_achieved_value,
    target_value - lag(target_value) OVER w AS target_change,
    round(100.0 * (target_value - lag(target_value) OVER w) / nullif(lag(target_value) OVER w, 0), 1)
        AS target_change_pct,
    achieved_value - lag(achieved_value) OVER w AS achieved_change,
    round(100.0 * (achieved_value - lag(achieved_value) OVER w) / nullif(lag(achieved_value) OVER w, 0), 1)
        AS achieved_change_pct
FROM summary_by_year
WINDOW w AS (PARTITION BY campaign_key, campaign_organizer, kind ORDER BY year);

-- The stored tables, recomputed whole (the definitions above may have changed).
DELETE FROM summary_by_year;
INSERT INTO summary_by_year BY NAME SELECT * FROM campaign_year_summary;
DELETE FROM articles_by_year;
INSERT INTO articles_by_year BY NAME SELECT * FROM campaign_year_articles;
DELETE FROM campaigns;
INSERT INTO campaigns BY NAME SELECT * FROM campaign_rows_of(NULL);
