-- Trusted CA for the probe (SPEC §6), per revision: a JSON array of the certificates'
-- DER in hex, added to the probe's trust anchors; empty means none beyond --ca-file and
-- the OS store. Never the pasted text: only certificates that passed the checks.
ALTER TABLE proxy_revisions ADD COLUMN trusted_ca TEXT NOT NULL DEFAULT '[]';
