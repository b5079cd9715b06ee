-- Figures that stay fast (issue 18): counters per hour, kept by triggers in the transactions
-- that write items, check-worthiness, matches, cases, verdicts, narratives and alerts, so a
-- dashboard over a year reads at most 8,760 rows per figure instead of every item.
--
-- stats_hourly: `metric` names the figure, `key` splits it ('' when it has no split: a
-- source, a language, a fact-check id, a rating label, an alert rule), `hour` is the start
-- of the UTC hour in Unix seconds, `value` the count. Derived state: `claimdesk stats
-- rebuild` (StatsStore::rebuild_stats) recomputes it from the records with the statements
-- this migration ends with. A row may fall to 0 when what it counted goes away.
--
-- An item counts at its time as the desk shows it everywhere: `published_at`, else the
-- start of the import that stored it (item_stat_hour). Its check-worthiness and its top
-- match count at the same hour.
--
-- metric             key              counted when
-- items              ''               an item is stored
-- items_source       source           an item with a source is stored
-- items_language     language         an item with a language is stored
-- checkworthy        ''               an item's check-worthiness reached the match threshold
-- match_confident    ''               an item's rank-1 match is confident
-- match_suggestion   ''               an item's rank-1 match is a suggestion only
-- factcheck_matched  fact-check id    a fact-check is an item's rank-1 match
-- cases_opened       ''               a case is opened (created_at)
-- verdicts           rating label     a desk-written verdict is published (date_published)
-- narratives         ''               a narrative reaches two items (at its first_seen)
-- alerts             rule             an alert is raised (created_at)
CREATE TABLE stats_hourly (
    metric TEXT    NOT NULL,
    key    TEXT    NOT NULL,
    hour   INTEGER NOT NULL,
    value  INTEGER NOT NULL,
    PRIMARY KEY (metric, hour, key)
) WITHOUT ROWID;

-- stats_rollup: the same counts per UTC day (level 'd') and UTC month ('m'), kept from
-- stats_hourly by its triggers, so a breakdown over a year (items by source, the fact-checks
-- matched most) sums a few thousand rows: whole months and days inside the period from
-- here, its ragged edges from the hours (StatsStore::stat_keys). `start` is the day's or the
-- month's first second.
CREATE TABLE stats_rollup (
    level  TEXT    NOT NULL CHECK (level IN ('d', 'm')),
    metric TEXT    NOT NULL,
    start  INTEGER NOT NULL,
    key    TEXT    NOT NULL,
    value  INTEGER NOT NULL,
    PRIMARY KEY (level, metric, start, key)
) WITHOUT ROWID;

CREATE TRIGGER stats_rollup_insert AFTER INSERT ON stats_hourly
BEGIN
    INSERT INTO stats_rollup (level, metric, start, key, value)
    VALUES ('d', new.metric, new.hour / 86400 * 86400, new.key, new.value),
           ('m', new.metric, unixepoch(strftime('%Y-%m-01', new.hour, 'unixepoch')), new.key,
            new.value)
    ON CONFLICT DO UPDATE SET value = value + excluded.value;
END;
CREATE TRIGGER stats_rollup_update AFTER UPDATE OF value ON stats_hourly
BEGIN
    UPDATE stats_rollup SET value = value + new.value - old.value
    WHERE metric = new.metric AND key = new.key
      AND ((level = 'd' AND start = new.hour / 86400 * 86400)
        OR (level = 'm' AND start = unixepoch(strftime('%Y-%m-01', new.hour, 'unixepoch'))));
END;
CREATE TRIGGER stats_rollup_delete AFTER DELETE ON stats_hourly
BEGIN
    UPDATE stats_rollup SET value = value - old.value
    WHERE metric = old.metric AND key = old.key
      AND ((level = 'd' AND start = old.hour / 86400 * 86400)
        OR (level = 'm' AND start = unixepoch(strftime('%Y-%m-01', old.hour, 'unixepoch'))));
END;

CREATE VIEW item_stat_hour AS
SELECT i.id AS item_id,
       coalesce(unixepoch(i.published_at), unixepoch(imp.started_at), 0) / 3600 * 3600 AS hour
FROM items i LEFT JOIN imports imp ON imp.id = i.import_id;

-- Items, by source and language.
CREATE TRIGGER stats_items_insert AFTER INSERT ON items
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT m.metric, m.key, h.hour, 1
    FROM item_stat_hour h,
         (SELECT 'items' AS metric, '' AS key
          UNION ALL SELECT 'items_source', new.source WHERE new.source IS NOT NULL
          UNION ALL SELECT 'items_language', new.language WHERE new.language IS NOT NULL) m
    WHERE h.item_id = new.id
    ON CONFLICT DO UPDATE SET value = value + 1;
END;

-- Everything counted at an item's hour, taken away at the old hour and its source and
-- language, and added at the new ones.
CREATE TRIGGER stats_items_update AFTER UPDATE OF published_at, source, language, import_id
ON items
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT m.metric, m.key,
           coalesce(unixepoch(old.published_at),
                    (SELECT unixepoch(started_at) FROM imports WHERE id = old.import_id),
                    0) / 3600 * 3600,
           -1
    FROM (SELECT 'items' AS metric, '' AS key
          UNION ALL SELECT 'items_source', old.source WHERE old.source IS NOT NULL
          UNION ALL SELECT 'items_language', old.language WHERE old.language IS NOT NULL
          UNION ALL SELECT 'checkworthy', '' FROM item_check_worthiness w
                    WHERE w.item_id = old.id AND w.matched = 1
          UNION ALL SELECT CASE WHEN mt.confident = 1 THEN 'match_confident'
                                ELSE 'match_suggestion' END, ''
                    FROM matches mt WHERE mt.item_id = old.id AND mt.rank = 1
          UNION ALL SELECT 'factcheck_matched', CAST(mt.factcheck_id AS TEXT)
                    FROM matches mt WHERE mt.item_id = old.id AND mt.rank = 1) m
    WHERE true
    ON CONFLICT DO UPDATE SET value = value - 1;
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT m.metric, m.key, h.hour, 1
    FROM item_stat_hour h,
         (SELECT 'items' AS metric, '' AS key
          UNION ALL SELECT 'items_source', new.source WHERE new.source IS NOT NULL
          UNION ALL SELECT 'items_language', new.language WHERE new.language IS NOT NULL
          UNION ALL SELECT 'checkworthy', '' FROM item_check_worthiness w
                    WHERE w.item_id = new.id AND w.matched = 1
          UNION ALL SELECT CASE WHEN mt.confident = 1 THEN 'match_confident'
                                ELSE 'match_suggestion' END, ''
                    FROM matches mt WHERE mt.item_id = new.id AND mt.rank = 1
          UNION ALL SELECT 'factcheck_matched', CAST(mt.factcheck_id AS TEXT)
                    FROM matches mt WHERE mt.item_id = new.id AND mt.rank = 1) m
    WHERE h.item_id = new.id
    ON CONFLICT DO UPDATE SET value = value + 1;
END;

CREATE TRIGGER stats_items_delete AFTER DELETE ON items
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT m.metric, m.key,
           coalesce(unixepoch(old.published_at),
                    (SELECT unixepoch(started_at) FROM imports WHERE id = old.import_id),
                    0) / 3600 * 3600,
           -1
    FROM (SELECT 'items' AS metric, '' AS key
          UNION ALL SELECT 'items_source', old.source WHERE old.source IS NOT NULL
          UNION ALL SELECT 'items_language', old.language WHERE old.language IS NOT NULL) m
    WHERE true
    ON CONFLICT DO UPDATE SET value = value - 1;
END;

-- Check-worthy items: those whose best sentence reached the match threshold.
CREATE TRIGGER stats_worthiness_insert AFTER INSERT ON item_check_worthiness
WHEN new.matched = 1
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT 'checkworthy', '', h.hour, 1 FROM item_stat_hour h WHERE h.item_id = new.item_id
    ON CONFLICT DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER stats_worthiness_delete AFTER DELETE ON item_check_worthiness
WHEN old.matched = 1
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT 'checkworthy', '', h.hour, -1 FROM item_stat_hour h WHERE h.item_id = old.item_id
    ON CONFLICT DO UPDATE SET value = value - 1;
END;
CREATE TRIGGER stats_worthiness_update AFTER UPDATE OF item_id, matched ON item_check_worthiness
WHEN old.matched != new.matched OR old.item_id != new.item_id
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT 'checkworthy', '', h.hour, -1 FROM item_stat_hour h
    WHERE h.item_id = old.item_id AND old.matched = 1
    ON CONFLICT DO UPDATE SET value = value - 1;
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT 'checkworthy', '', h.hour, 1 FROM item_stat_hour h
    WHERE h.item_id = new.item_id AND new.matched = 1
    ON CONFLICT DO UPDATE SET value = value + 1;
END;

-- An item's top match: confident or a suggestion, and which fact-check it is.
CREATE TRIGGER stats_matches_insert AFTER INSERT ON matches WHEN new.rank = 1
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT m.metric, m.key, h.hour, 1
    FROM item_stat_hour h,
         (SELECT CASE WHEN new.confident = 1 THEN 'match_confident'
                      ELSE 'match_suggestion' END AS metric, '' AS key
          UNION ALL SELECT 'factcheck_matched', CAST(new.factcheck_id AS TEXT)) m
    WHERE h.item_id = new.item_id
    ON CONFLICT DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER stats_matches_delete AFTER DELETE ON matches WHEN old.rank = 1
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT m.metric, m.key, h.hour, -1
    FROM item_stat_hour h,
         (SELECT CASE WHEN old.confident = 1 THEN 'match_confident'
                      ELSE 'match_suggestion' END AS metric, '' AS key
          UNION ALL SELECT 'factcheck_matched', CAST(old.factcheck_id AS TEXT)) m
    WHERE h.item_id = old.item_id
    ON CONFLICT DO UPDATE SET value = value - 1;
END;
CREATE TRIGGER stats_matches_update AFTER UPDATE OF item_id, factcheck_id, rank, confident
ON matches
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT m.metric, m.key, h.hour, -1
    FROM item_stat_hour h,
         (SELECT CASE WHEN old.confident = 1 THEN 'match_confident'
                      ELSE 'match_suggestion' END AS metric, '' AS key
          UNION ALL SELECT 'factcheck_matched', CAST(old.factcheck_id AS TEXT)) m
    WHERE h.item_id = old.item_id AND old.rank = 1
    ON CONFLICT DO UPDATE SET value = value - 1;
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT m.metric, m.key, h.hour, 1
    FROM item_stat_hour h,
         (SELECT CASE WHEN new.confident = 1 THEN 'match_confident'
                      ELSE 'match_suggestion' END AS metric, '' AS key
          UNION ALL SELECT 'factcheck_matched', CAST(new.factcheck_id AS TEXT)) m
    WHERE h.item_id = new.item_id AND new.rank = 1
    ON CONFLICT DO UPDATE SET value = value + 1;
END;

-- Cases opened.
CREATE TRIGGER stats_cases_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    VALUES ('cases_opened', '', unixepoch(new.created_at) / 3600 * 3600, 1)
    ON CONFLICT DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER stats_cases_update AFTER UPDATE OF created_at ON cases
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    VALUES ('cases_opened', '', unixepoch(old.created_at) / 3600 * 3600, -1)
    ON CONFLICT DO UPDATE SET value = value - 1;
    INSERT INTO stats_hourly (metric, key, hour, value)
    VALUES ('cases_opened', '', unixepoch(new.created_at) / 3600 * 3600, 1)
    ON CONFLICT DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER stats_cases_delete AFTER DELETE ON cases
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    VALUES ('cases_opened', '', unixepoch(old.created_at) / 3600 * 3600, -1)
    ON CONFLICT DO UPDATE SET value = value - 1;
END;

-- Desk-written verdicts, by rating label, when published.
CREATE TRIGGER stats_verdicts_insert AFTER INSERT ON factchecks
WHEN new.case_id IS NOT NULL AND new.published = 1 AND new.date_published IS NOT NULL
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    VALUES ('verdicts', coalesce(new.rating_label, ''),
            unixepoch(new.date_published) / 3600 * 3600, 1)
    ON CONFLICT DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER stats_verdicts_update
AFTER UPDATE OF published, date_published, rating_label, case_id ON factchecks
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT 'verdicts', coalesce(old.rating_label, ''),
           unixepoch(old.date_published) / 3600 * 3600, -1
    WHERE old.case_id IS NOT NULL AND old.published = 1 AND old.date_published IS NOT NULL
    ON CONFLICT DO UPDATE SET value = value - 1;
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT 'verdicts', coalesce(new.rating_label, ''),
           unixepoch(new.date_published) / 3600 * 3600, 1
    WHERE new.case_id IS NOT NULL AND new.published = 1 AND new.date_published IS NOT NULL
    ON CONFLICT DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER stats_verdicts_delete AFTER DELETE ON factchecks
WHEN old.case_id IS NOT NULL AND old.published = 1 AND old.date_published IS NOT NULL
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    VALUES ('verdicts', coalesce(old.rating_label, ''),
            unixepoch(old.date_published) / 3600 * 3600, -1)
    ON CONFLICT DO UPDATE SET value = value - 1;
END;

-- Narratives of two items or more, at their first item's hour.
CREATE TRIGGER stats_narratives_insert AFTER INSERT ON narratives WHEN new.item_count >= 2
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    VALUES ('narratives', '', new.first_seen / 3600 * 3600, 1)
    ON CONFLICT DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER stats_narratives_update AFTER UPDATE OF item_count, first_seen ON narratives
WHEN (old.item_count >= 2) != (new.item_count >= 2) OR old.first_seen != new.first_seen
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT 'narratives', '', old.first_seen / 3600 * 3600, -1 WHERE old.item_count >= 2
    ON CONFLICT DO UPDATE SET value = value - 1;
    INSERT INTO stats_hourly (metric, key, hour, value)
    SELECT 'narratives', '', new.first_seen / 3600 * 3600, 1 WHERE new.item_count >= 2
    ON CONFLICT DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER stats_narratives_delete AFTER DELETE ON narratives WHEN old.item_count >= 2
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    VALUES ('narratives', '', old.first_seen / 3600 * 3600, -1)
    ON CONFLICT DO UPDATE SET value = value - 1;
END;

-- Alerts by rule.
CREATE TRIGGER stats_alerts_insert AFTER INSERT ON alerts
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    VALUES ('alerts', new.rule, unixepoch(new.created_at) / 3600 * 3600, 1)
    ON CONFLICT DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER stats_alerts_delete AFTER DELETE ON alerts
BEGIN
    INSERT INTO stats_hourly (metric, key, hour, value)
    VALUES ('alerts', old.rule, unixepoch(old.created_at) / 3600 * 3600, -1)
    ON CONFLICT DO UPDATE SET value = value - 1;
END;

-- The work figures read cases published in a period, by the time they were published.
CREATE INDEX case_transitions_to ON case_transitions (to_status, at);

-- The counters of the records already stored (the same statements as `rebuild_stats`).
INSERT INTO stats_hourly (metric, key, hour, value)
SELECT 'items', '', h.hour, COUNT(*) FROM item_stat_hour h GROUP BY h.hour;
INSERT INTO stats_hourly (metric, key, hour, value)
SELECT 'items_source', i.source, h.hour, COUNT(*)
FROM items i JOIN item_stat_hour h ON h.item_id = i.id
WHERE i.source IS NOT NULL GROUP BY i.source, h.hour;
INSERT INTO stats_hourly (metric, key, hour, value)
SELECT 'items_language', i.language, h.hour, COUNT(*)
FROM items i JOIN item_stat_hour h ON h.item_id = i.id
WHERE i.language IS NOT NULL GROUP BY i.language, h.hour;
INSERT INTO stats_hourly (metric, key, hour, value)
SELECT 'checkworthy', '', h.hour, COUNT(*)
FROM item_check_worthiness w JOIN item_stat_hour h ON h.item_id = w.item_id
WHERE w.matched = 1 GROUP BY h.hour;
INSERT INTO stats_hourly (metric, key, hour, value)
SELECT CASE WHEN m.confident = 1 THEN 'match_confident' ELSE 'match_suggestion' END, '',
       h.hour, COUNT(*)
FROM matches m JOIN item_stat_hour h ON h.item_id = m.item_id
WHERE m.rank = 1 GROUP BY 1, h.hour;
INSERT INTO stats_hourly (metric, key, hour, value)
SELECT 'factcheck_matched', CAST(m.factcheck_id AS TEXT), h.hour, COUNT(*)
FROM matches m JOIN item_stat_hour h ON h.item_id = m.item_id
WHERE m.rank = 1 GROUP BY m.factcheck_id, h.hour;
INSERT INTO stats_hourly (metric, key, hour, value)
SELECT 'cases_opened', '', unixepoch(created_at) / 3600 * 3600, COUNT(*)
FROM cases GROUP BY 3;
INSERT INTO stats_hourly (metric, key, hour, value)
SELECT 'verdicts', coalesce(rating_label, ''), unixepoch(date_published) / 3600 * 3600,
       COUNT(*)
FROM factchecks
WHERE case_id IS NOT NULL AND published = 1 AND date_published IS NOT NULL
GROUP BY 2, 3;
INSERT INTO stats_hourly (metric, key, hour, value)
SELECT 'narratives', '', first_seen / 3600 * 3600, COUNT(*)
FROM narratives WHERE item_count >= 2 GROUP BY 3;
INSERT INTO stats_hourly (metric, key, hour, value)
SELECT 'alerts', rule, unixepoch(created_at) / 3600 * 3600, COUNT(*)
FROM alerts GROUP BY 2, 3;
