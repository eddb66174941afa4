# Words of the probe module, one message per fact; variables as named.

probe-engine-s-s-the-whole-probe-limit = { $s } s (the whole-probe limit)
probe-engine-s-s = { $s } s
probe-engine-stopped-at-the-whole-probe-limit = stopped at the whole-probe limit of { $total } s
probe-engine-skipped-host-is-an-ip-address = skipped: { $host } is an IP address
probe-engine-host-has-no-address = { $host } has no address
probe-engine-host-resolves-to-list = { $host } resolves to { $list }
probe-engine-host-why = { $host }: { $why }
probe-engine-no-dns-answer-for-host-within = no DNS answer for { $host } within { $limit }
probe-engine-tcp-handshake-local-remote-done = TCP handshake { $local } -> { $remote } done
probe-engine-addr-not-tried-no-time-left = { $addr }: not tried, no time left
probe-engine-addr-why = { $addr }: { $why }
probe-engine-addr-no-answer-to-the-syn = { $addr }: no answer to the SYN within { $limit }
probe-engine-the-tunnel-was-cut-during-the = the tunnel was cut during the TLS handshake: { $why }
probe-engine-clienthello-sent-through-the-tunnel-no = ClientHello sent through the tunnel; no TLS answer within { $limit }
probe-engine-head-could-not-be-sent-why = HEAD / could not be sent: { $why }
probe-engine-head-could-not-be-sent-within = HEAD / could not be sent within { $limit }
probe-engine-head-status-location-l = HEAD / -> { $status }; Location: { $l }
probe-engine-head-status = HEAD / -> { $status }
probe-engine-large-head-status = HEAD / padded to { $size } bytes -> { $status }
probe-engine-large-head-no-answer-within = HEAD / padded to { $size } bytes sent after the small one was answered; no answer within { $limit }
probe-engine-large-head-failed-why = HEAD / padded to { $size } bytes, after the small one was answered: { $why }
probe-engine-large-head-closed = HEAD / padded to { $size } bytes sent after the small one was answered; the connection was closed before an answer
probe-engine-the-server = the server
probe-engine-tls-close-notify-sent-then-tcp = TLS close_notify sent, then TCP FIN
probe-engine-tcp-fin-sent = TCP FIN sent (plain HTTP: no TLS to close)
probe-engine-fin-could-not-be-sent = TCP FIN could not be sent within { $limit }
probe-engine-the-server-had-already-closed-the = the server had already closed the connection ({ $why })
probe-engine-closing-failed-why = closing failed: { $why }
probe-engine-close-notify-could-not-be-sent = close_notify could not be sent within { $limit }
probe-engine-unknown-cipher = (unknown cipher)
probe-engine-version-cipher-subject-subject-issuer-issuer = { $version } { $cipher }; subject { $subject }; issuer { $issuer }; valid until { $not_after }
probe-connect-the-kept-alive-connection-failed-why = the kept-alive connection failed ({ $why })
probe-connect-line-could-not-be-sent-why = { $line } could not be sent: { $why }
probe-connect-line-could-not-be-sent-within = { $line } could not be sent within { $limit }
probe-connect-the-proxy-closed-the-kept-alive = the proxy closed the kept-alive connection
probe-connect-the-proxy = the proxy
probe-connect-said-answered-with-scheme-round-round = { $said }; answered with { $scheme } (round { $round })
probe-connect-reconnected-local-remote = reconnected { $local } -> { $remote }
probe-connect-reconnecting-failed-detail = reconnecting failed: { $detail }
probe-connect-sent-sent-received-byte-s-back = { $sent } sent; { $received } byte(s) back and no complete answer within { $limit }
probe-connect-sent-sent-who-closed-the-connection = { $sent } sent; { $who } closed the connection after { $received } byte(s) without a complete answer
probe-connect-sent-sent-why-after-received-byte = { $sent } sent; { $why } after { $received } byte(s)
probe-connect-sent-sent-why-received-byte-s = { $sent } sent; { $why } ({ $received } byte(s) read, { $held } held, cap { $max_head_bytes })
probe-connect-said-no-credentials-configured = { $said }; no credentials configured
probe-connect-said-still-refused-after-n-answer = { $said }; still refused after { $n } { $n ->
        [one] answer
       *[other] answers
    }
probe-connect-said-ntlm-negotiate-only = { $said }; NTLM/Negotiate only
probe-connect-said-no-scheme-the-probe-can = { $said }; no scheme the probe can answer
probe-connect-said-cannot-answer-why = { $said }; cannot answer: { $why }
probe-connect-line-status-line-offers-offered = { $line } -> { $status_line } (offers { $offered })
probe-connect-the-proxy-does-not-keep-the = the proxy does not keep the connection after its 407
probe-connect-line-status-line = { $line } -> { $status_line }
probe-connect-notes-then-detail = { $notes }; then { $detail }
probe-tls-cannot-read-ca-file-path-reason = cannot read CA file { $path }: { $reason }
probe-tls-ca-file-path-holds-no-certificate = CA file { $path } holds no certificate
probe-tls-tls-setup-failed-why = TLS setup failed: { $why }
probe-tls-the-certificate-is-for-no-name = the certificate is for no name but the target is { $expected }
probe-tls-the-certificate-is-for-names-but = the certificate is for { $names } but the target is { $expected }
probe-tls-certificate-issued-by-an-unknown-ca = certificate issued by an unknown CA
# A TLS failure. English pages and the JSON show rustls's own words (or the PEM reader's);
# these say the same fact in other languages. $why, $alert, $message_type: rustls's names.
probe-tls-setup-interrupted = TLS setup did not finish (an internal task was interrupted)
probe-tls-pem-missing-section-end = a PEM section has no END line
probe-tls-pem-illegal-section-start = a PEM section has an invalid BEGIN line
probe-tls-pem-not-base64 = the PEM content is not valid Base64
probe-tls-pem-section-too-large = a PEM section is too large
probe-tls-pem-invalid = not a valid PEM file
probe-tls-alert-received = the peer sent TLS alert { $alert }
probe-tls-no-certificates = the server presented no certificate
probe-tls-peer-incompatible = the server's TLS parameters are incompatible with this device ({ $why })
probe-tls-peer-misbehaved = the server broke the TLS protocol ({ $why })
probe-tls-invalid-message = an invalid TLS message was received ({ $why }): the other end of the tunnel may not be a TLS server
probe-tls-unexpected-message = a TLS message that should not come now was received ({ $message_type })
probe-tls-unexpected-handshake-message = a TLS handshake message that should not come now was received ({ $message_type })
probe-tls-decrypt-error = a TLS message could not be decrypted
probe-tls-oversized-record = the peer sent a TLS record over the size limit
probe-tls-no-current-time = the current time could not be read
probe-tls-error = TLS error ({ $why })
probe-tls-certificate-expired = the certificate has expired
probe-tls-certificate-not-valid-yet = the certificate is not valid yet
probe-tls-certificate-not-for-name = the certificate was not issued for the target name
probe-tls-certificate-bad-signature = the certificate's signature is invalid
probe-tls-certificate-bad-encoding = the certificate's encoding is invalid
probe-tls-certificate-revoked = the certificate has been revoked
probe-tls-certificate-wrong-purpose = the certificate is not for TLS server authentication
probe-tls-certificate-unsupported-signature-algorithm = the certificate uses an unsupported signature algorithm
probe-tls-certificate-invalid = the certificate is invalid ({ $why })
# A response head refused (src/probe/head.rs); $start and $line are quoted as they came.
probe-head-not-http = the answer is not HTTP: it starts with { $start }
probe-head-too-large = no end of the response head within { $max } bytes
probe-head-too-many-lines = more than { $max } header lines
probe-head-bad-status-line = malformed status line { $line }
probe-head-bad-header-line = malformed header line { $line }
probe-reasons-connection-refused-nothing-listens-there-or = connection refused (nothing listens there, or a firewall rejects it)
probe-reasons-host-unreachable = host unreachable
probe-reasons-network-unreachable-no-route = network unreachable (no route)
probe-auth-no-scheme-to-answer-with = no scheme to answer with

# Joins the details of several attempts in one stage.
detail-separator = {"; "}
probe-engine-not-a-tls-server-name = { $host } is not a TLS server name: { $why }
probe-engine-invalid-dns-name = the name does not follow the DNS rules
probe-auth-digest-unanswerable = the proxy's Digest challenge cannot be answered (a parameter in it is not supported)
# A name that did not resolve. In English the resolver's own words are shown instead.
probe-dns-failed = DNS lookup failed: { $why }
probe-dns-failed-quoting = DNS lookup failed ({ $words })
probe-dns-unknown-name = name or service not known
probe-dns-no-address = the host name has no address
probe-dns-try-again = temporary failure in name resolution (the DNS servers did not answer or cannot be reached)
