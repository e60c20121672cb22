-- 004_figure_mentions: one figure per fact (article record spec, extractor 0.2.0).
-- An article that says the same figure again (headline, lead, body, caption) holds it once,
-- quoted at its first mention; `mentions` counts how often the article states it. Rows
-- written before this migration were one row per mention: each counts as 1.
-- Runs inside one transaction (warehouse/db.py); no BEGIN/COMMIT here.

ALTER TABLE figures ADD COLUMN mentions INTEGER NOT NULL DEFAULT 1;
