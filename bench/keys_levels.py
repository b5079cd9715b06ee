#!/usr/bin/env python3
"""Filing the narratives' lookup keys on a large desk: one table against levels (issue 22).

    python3 bench/keys_levels.py KEYS_DB BATCHES [CAPS]

KEYS_DB is a SQLite file holding a desk's `narrative_keys` table alone (copy it out of a
large desk: `ATTACH` the desk read-only and `INSERT INTO narrative_keys SELECT ... ORDER BY
key`); the script copies it twice beside itself (A and B) and never changes KEYS_DB. Each of
BATCHES batches is what the monitor does for 200 representatives: look up 3,400 keys (one in
nine an existing key, the rest new), then file them, committed in WAL mode as the store does.
A files into the one table, then keeps each key's four newest (claimdesk before migration
0027); B files into the first of the levels and moves a level down into the next, in key
order, when it holds more than its CAPS rows (default 20000,200000,2000000, as
NARRATIVE_KEY_LEVELS in crates/store/src/sqlite/monitor.rs), looking a key up in every level.
Prints microseconds per key of each, every 100 batches. Needs pysqlite3 (SQLite >= 3.38).
"""
import json
import random
import shutil
import sys
import time

import pysqlite3 as sqlite3


def connect(path):
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("pragma journal_mode=wal")
    c.execute("pragma synchronous=normal")
    c.execute("pragma cache_size=-8192")
    return c


def main():
    source, batches = sys.argv[1], int(sys.argv[2])
    caps = [int(x) for x in (sys.argv[3] if len(sys.argv) > 3 else "20000,200000,2000000").split(",")]
    keys_per_batch = 3400
    shutil.copy(source, source + ".a")
    shutil.copy(source, source + ".b")
    a, b = connect(source + ".a"), connect(source + ".b")
    levels = [f"narrative_keys_{i}" for i in range(len(caps))] + ["narrative_keys"]
    for t in levels[:-1]:
        b.execute(f"CREATE TABLE {t} (key INTEGER NOT NULL, narrative_id INTEGER NOT NULL, "
                  "PRIMARY KEY (key, narrative_id)) WITHOUT ROWID")
    top = a.execute("SELECT max(narrative_id) FROM narrative_keys").fetchone()[0] or 0
    random.seed(1)
    existing = [r[0] for r in (a.execute("SELECT key FROM narrative_keys WHERE key >= ? LIMIT 1",
                                          (random.randint(-2**63, 2**63 - 1),)).fetchone()
                               for _ in range(3000)) if r]
    insert = "INSERT OR IGNORE INTO {t} (key, narrative_id) SELECT value ->> 0, value ->> 1 FROM json_each(?)"
    newest = """DELETE FROM {t} AS nk WHERE nk.key IN ({keys})
        AND nk.narrative_id < (SELECT narrative_id FROM {t} WHERE key = nk.key
                               ORDER BY narrative_id DESC LIMIT 1 OFFSET 3)"""
    lookup = "SELECT DISTINCT narrative_id FROM {t} WHERE key IN (SELECT value FROM json_each(?))"
    rows = [0] * len(caps)
    spent_a = spent_b = 0.0
    for n in range(batches):
        random.seed(1000 + n)
        pairs = sorted([random.choice(existing) if i % 9 == 0 else random.randint(-2**63, 2**63 - 1),
                        top + 1 + n * 200 + i // 17] for i in range(keys_per_batch))
        keys, filed = json.dumps([p[0] for p in pairs]), json.dumps(pairs)
        t = time.perf_counter()
        a.execute(lookup.format(t="narrative_keys"), (keys,)).fetchall()
        a.execute("BEGIN IMMEDIATE")
        a.execute(insert.format(t="narrative_keys"), (filed,))
        a.execute(newest.format(t="narrative_keys", keys="SELECT value ->> 0 FROM json_each(?)"), (filed,))
        a.execute("COMMIT")
        spent_a += time.perf_counter() - t
        t = time.perf_counter()
        for level in levels:
            b.execute(lookup.format(t=level), (keys,)).fetchall()
        b.execute("BEGIN IMMEDIATE")
        b.execute(insert.format(t=levels[0]), (filed,))
        rows[0] += keys_per_batch
        for i, cap in enumerate(caps):
            if rows[i] <= cap:
                break
            b.execute(f"INSERT OR IGNORE INTO {levels[i + 1]} SELECT key, narrative_id FROM {levels[i]} ORDER BY key, narrative_id")
            b.execute(newest.format(t=levels[i + 1], keys=f"SELECT key FROM {levels[i]}"))
            b.execute(f"DELETE FROM {levels[i]}")
            if i + 1 < len(caps):
                rows[i + 1] += rows[i]
            rows[i] = 0
        b.execute("COMMIT")
        spent_b += time.perf_counter() - t
        if (n + 1) % 100 == 0:
            done = (n + 1) * keys_per_batch
            print(f"{n + 1} batches: one table {1e6 * spent_a / done:.1f} us/key, "
                  f"levels {1e6 * spent_b / done:.1f} us/key", flush=True)


if __name__ == "__main__":
    main()
