-- The verdict's summary (the English of the report that decided it) kept beside the verdict,
-- so the page's Recent tests list reads one short column per row instead of SQLite parsing
-- up to 20 stored reports (each with its wire transcript) on every page load.
-- `facts` (JSON, the deciding report's diagnosis facts) lets the list say it in the reader's
-- language; older rows have none and show their English summary.
ALTER TABLE proxy_tests ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE proxy_tests ADD COLUMN facts TEXT;
-- The Diagnostics panel's "Last test" is the newest row: its deciding target's URL and curl
-- line, and how many targets it probed.
ALTER TABLE proxy_tests ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE proxy_tests ADD COLUMN curl TEXT NOT NULL DEFAULT '';
ALTER TABLE proxy_tests ADD COLUMN targets INTEGER NOT NULL DEFAULT 1;
UPDATE proxy_tests SET
    summary = COALESCE(
        (SELECT json_extract(value, '$.diagnosis.summary') FROM json_each(reports)
          WHERE json_extract(value, '$.ok') = 0 LIMIT 1),
        json_extract(reports, '$[0].diagnosis.summary'), ''),
    url = COALESCE(
        (SELECT json_extract(value, '$.url') FROM json_each(reports)
          WHERE json_extract(value, '$.ok') = 0 LIMIT 1),
        json_extract(reports, '$[0].url'), ''),
    curl = COALESCE(
        (SELECT json_extract(value, '$.curl') FROM json_each(reports)
          WHERE json_extract(value, '$.ok') = 0 LIMIT 1),
        json_extract(reports, '$[0].curl'), ''),
    targets = json_array_length(reports);
