-- An API token may carry an expiry (unix seconds); NULL never expires.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
