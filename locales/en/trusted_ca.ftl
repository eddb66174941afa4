# Trusted CA for the probe (src/settings/trusted_ca.rs, src/settings/words.rs, the Proxy section): the field, the saved list and each refusal. A refusal never quotes the pasted text.

ca-label = Trusted CA for the probe
ca-hint = PEM certificates (-----BEGIN CERTIFICATE-----), e.g. your TLS-inspecting proxy's CA; every test trusts them on top of the system's CAs. Pasted ones are added to those saved.
ca-file-pick = Read a .pem or .crt file
ca-valid-until = valid until
ca-expired = expired: tests cannot use it
ca-remove = Remove
ca-placeholder = -----BEGIN CERTIFICATE-----
ca-change-added = Trusted CA added
ca-change-removed = Trusted CA removed
ca-too-large = The pasted text is over { $max } KiB; paste only the CA certificates.
ca-not-pem = This is not PEM: paste certificates that start with -----BEGIN CERTIFICATE-----.
ca-private-key = Block { $block } is a private key: it was not saved and is not shown again. Paste the CA's certificate, never a key.
ca-not-certificate = Block { $block } is a "{ $label }", not a certificate.
ca-bad-pem = Block { $block } is not well-formed PEM (no END line, or not base64).
ca-not-x509 = Block { $block } is not an X.509 certificate.
ca-expired-refused = Block { $block } ({ $subject }) expired on { $date }; a probe trusting it would fail. Paste the current CA certificate.
ca-not-yet-valid = Block { $block } ({ $subject }) is not valid before { $date }.
ca-not-an-anchor = Block { $block } ({ $subject }) cannot be used as a trust anchor.
ca-too-many = At most { $max } CA certificates can be trusted; remove some first.
