-- Every counter computed from the records (StatsStore::rebuild_stats on PostgreSQL; the same
-- statements as SQLite's sqlite/stats_rebuild.sql).
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
WHERE w.matched GROUP BY h.hour;
INSERT INTO stats_hourly (metric, key, hour, value)
SELECT CASE WHEN m.confident THEN 'match_confident' ELSE 'match_suggestion' END, '',
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
WHERE case_id IS NOT NULL AND published AND date_published IS NOT NULL
GROUP BY 2, 3;
INSERT INTO stats_hourly (metric, key, hour, value)
SELECT 'narratives', '', first_seen / 3600 * 3600, COUNT(*)
FROM narratives WHERE item_count >= 2 GROUP BY 3;
INSERT INTO stats_hourly (metric, key, hour, value)
SELECT 'alerts', rule, unixepoch(created_at) / 3600 * 3600, COUNT(*)
FROM alerts GROUP BY 2, 3;
