# Test connection: the verdict's summary and next step per diagnosis code (SPEC §6).
# Variables: $proxy (host:port), $proxy_host, $target (host:port), $status (the proxy's
# status line), $detail (the failing stage's own words), $offered (auth schemes), $rounds,
# $issuer, $not_after, $connect_timeout and $read_timeout (seconds), $iface and $mtu,
# $mss and $path_mtu (TCP_INFO of the proxy socket).

diagnosis-ok-summary = Traffic gets out: { $proxy } opened a tunnel to { $target }, the server's certificate is trusted and it answered over HTTPS.
diagnosis-ok-hint = Nothing to fix. Keep this result and its curl line as the baseline for later tests.
diagnosis-proxy-dns-failed-summary = The proxy name { $proxy_host } could not be resolved ({ $detail }).
diagnosis-proxy-dns-failed-hint = Check the HTTP Proxy field for a typo and that the appliance's DNS servers (Shared Settings) can resolve { $proxy_host }; or enter the proxy's IP address.
diagnosis-proxy-unreachable-summary = Nothing accepted a TCP connection at { $proxy } ({ $detail }).
diagnosis-proxy-unreachable-hint = Check the address and port against the proxy's configuration (cat { $conf_path }), that the proxy service is running on that port, and that no firewall or route between this appliance and the proxy blocks it; netstat -na | grep { $proxy_host } shows the attempts.
diagnosis-connect-timeout-summary = The TCP handshake with { $proxy } did not complete within { $connect_timeout } s: the SYN got no answer.
diagnosis-connect-timeout-hint = A firewall or ACL on the path is dropping the SYN, the route is wrong, or the proxy host is down. Capture on the management interface (tcpdump -n host { $proxy_host }): SYN retransmissions without a SYN-ACK confirm it; then check routes and ACLs between the appliance and the proxy.
diagnosis-proxy-no-response-summary = { $proxy } accepted the connection but sent no complete answer to the CONNECT within { $read_timeout } s ({ $detail }).
diagnosis-proxy-no-response-hint = Check that this port is the proxy's HTTP listener (not another service), and look for this CONNECT in the proxy's logs: it may be overloaded or stuck on its upstream.
diagnosis-malformed-response-summary = The answer from { $proxy } is not a valid HTTP response: { $detail }.
diagnosis-malformed-response-hint = The port probably belongs to another service, or a device in the path rewrites the traffic. Check the proxy port: it must be an HTTP proxy that supports CONNECT.
diagnosis-proxy-auth-required-summary = The proxy requires authentication ({ $auth_status }, offering { $offered }) and no credentials were given.
diagnosis-proxy-auth-required-hint = Turn on Use Proxy Authentication and enter the proxy account's user name and password (with the CLI: -U USER).
diagnosis-proxy-auth-failed-summary = The proxy rejected the credentials: still { $auth_status } after { $rounds } { $rounds ->
        [one] answer
       *[other] answers
    } (it offers { $offered }).
diagnosis-proxy-auth-failed-hint = Check the user name and password with the proxy administrator (passwords are case-sensitive; the account may be locked or not allowed to use CONNECT), then save them again.
diagnosis-ntlm-unsupported-summary = The proxy only offers { $offered } (Windows-integrated authentication), which FMC does not support.
diagnosis-ntlm-unsupported-hint = Ask the proxy administrator to enable Basic or Digest authentication for this appliance, or to let its address through without authentication.
diagnosis-proxy-denied-summary = The proxy refused the tunnel to { $target }: { $status }.
diagnosis-proxy-denied-hint = A 403 comes from the proxy's access control list: ask the proxy administrator to allow CONNECT from this appliance's address to { $target }, and check the proxy's access log for the denied request.
diagnosis-bad-request-summary = The proxy did not accept the CONNECT request: { $status }.
diagnosis-bad-request-hint = The service on that port may not be a forward proxy (a web server or reverse proxy answers CONNECT with 400), or it rejects the target name. Check the proxy address and port.
diagnosis-bad-gateway-summary = The proxy could not reach { $target } itself: { $status }.
diagnosis-bad-gateway-hint = The proxy's own path out fails: its DNS, its upstream firewall, or an ACL refusing the destination (the Cisco note lists 502 beside 403 as proxy ACL symptoms). Ask the proxy administrator to check its logs for { $target }.
diagnosis-service-unavailable-summary = The proxy could not serve the tunnel to { $target }: { $status }.
diagnosis-service-unavailable-hint = The proxy is overloaded, in maintenance, or cannot reach { $target } upstream. Check the proxy's logs and its connectivity to { $target }, then test again.
diagnosis-gateway-timeout-summary = The proxy timed out connecting to { $target }: { $status }.
diagnosis-gateway-timeout-hint = The proxy's path to { $target } is slow or blocked: check its upstream firewall, DNS and routes, and its connect timeout.
# proxy_error, said by what the Cisco note's status table says the status means.
diagnosis-proxy-error-unauthorized-summary = The proxy answered CONNECT to { $target } with { $status }: unauthorized, the credentials are missing or wrong (401 in the Cisco note's table), but the proxy sent no challenge to answer.
diagnosis-proxy-error-unauthorized-hint = Check Use Proxy Authentication, the user name and the password against the proxy's user database. If they are right, ask the proxy administrator why it answers 401 without a challenge: a proxy asks for credentials with 407 and Proxy-Authenticate.
diagnosis-proxy-error-not-found-summary = The proxy answered CONNECT to { $target } with { $status }: the resource was not found (404 in the Cisco note's table).
diagnosis-proxy-error-not-found-hint = A forward proxy does not answer CONNECT with 404: the address and port may lead to a web server or a reverse proxy rather than the proxy. Check the proxy address and port (cat { $conf_path }), and the proxy's logs for { $target }.
diagnosis-proxy-error-internal-error-summary = The proxy failed with an internal error while handling CONNECT to { $target }: { $status } (500 in the Cisco note's table: a server error in the proxy).
diagnosis-proxy-error-internal-error-hint = The fault is in the proxy, not in this appliance's settings: ask the proxy administrator to check the proxy's error log at the time of the test, then test again.
diagnosis-proxy-error-other-summary = The proxy answered CONNECT to { $target } with { $status }, and no tunnel was opened.
diagnosis-proxy-error-other-hint = Look for this status in the proxy's logs and documentation, and ask its administrator why CONNECT to { $target } does not open a tunnel.
diagnosis-tunnel-idle-summary = The proxy opened the tunnel, but no TLS answer from { $target } came back within { $read_timeout } s ({ $detail }).
diagnosis-tunnel-idle-hint = An idle tunnel points at something in the path: traffic inspection holding the connection, proxy idle or connect timeouts, or size limits dropping the large TLS packets. Check the proxy's inspection policy, timeouts and size limits, and capture (tcpdump) to see where the data stops.
diagnosis-connection-reset-summary = The connection was reset or closed inside the tunnel to { $target } ({ $detail }).
diagnosis-connection-reset-hint = A reset right after a large packet (the TLS handshake) usually means an MTU problem on the path or an inspection device cutting the flow. Compare the management interface's MTU with the path (ping -M do -s 1472 <proxy>), and check IPS/TLS inspection between the appliance and the proxy and the proxy's logs.
diagnosis-tls-untrusted-summary = The certificate presented for { $target } was issued by { $issuer }, which this appliance does not trust.
diagnosis-tls-untrusted-hint = A TLS-inspecting proxy re-signs every site with its own CA. If { $issuer } is your proxy's CA, add that CA certificate (PEM) under Trusted CA for the probe in the Proxy section (ca_pem in the API) and test again; if not, something in the path is intercepting the connection.
diagnosis-tls-untrusted-cli-hint = A TLS-inspecting proxy re-signs every site with its own CA. If { $issuer } is your proxy's CA, give that CA certificate (PEM) with --cacert FILE; if not, something in the path is intercepting the connection.
diagnosis-tls-expired-summary = The certificate presented for { $target } is expired or not yet valid (valid until { $not_after }).
diagnosis-tls-expired-hint = Check the appliance's clock first (System > Configuration > Time): a wrong clock makes good certificates look expired. If the clock is right, the server or an inspecting proxy presents a stale certificate.
diagnosis-tls-name-mismatch-summary = The certificate presented does not name { $target } ({ $detail }).
diagnosis-tls-name-mismatch-hint = Something in the path answered with another site's certificate: a TLS-inspecting proxy misconfigured, a captive portal, or a wrong target name. Check the proxy's inspection policy and the target.
diagnosis-tls-failed-summary = The TLS handshake with { $target } through the tunnel failed: { $detail }.
diagnosis-tls-failed-hint = Check TLS inspection on the proxy (protocol versions, cipher suites) and the certificates under Trusted CA for the probe (and the --ca-file file, if the server was started with one).
diagnosis-tls-failed-cli-hint = Check TLS inspection on the proxy (protocol versions, cipher suites) and, if one is given, the --cacert file.
diagnosis-mtu-suspected-summary = The small HEAD to { $target } was answered, but the same request padded to at least 1,400 bytes on the same connection was not ({ $detail }): large packets are lost on the way. The tunnel's MSS is { $mss } and its path MTU { $path_mtu }; this appliance reaches the proxy through { $iface }, whose MTU is { $mtu }.
diagnosis-mtu-suspected-hint = This is the Cisco note's MTU case. Find the largest packet that passes to the proxy (ping -M do -s 1472 { $proxy_host }, lowering the size until it answers), then lower the MTU of { $iface } (now { $mtu }) to fit, or have the network clamp the TCP MSS and let ICMP 'fragmentation needed' through (PMTU discovery); check also for an inspection device or tunnel (VPN, GRE) on the path dropping large packets.
diagnosis-connection-reset-hint-mtu = A reset right after a large packet (the TLS handshake) usually means an MTU problem on the path or an inspection device cutting the flow. Compare the management interface's MTU with the path (ping -M do -s 1472 <proxy>), and check IPS/TLS inspection between the appliance and the proxy and the proxy's logs. This appliance reaches the proxy through { $iface }, whose MTU is { $mtu }: if any link on the path has a smaller MTU and drops or blackholes large packets, lower the interface MTU or fix PMTU discovery (ICMP 'fragmentation needed' must pass).

# Plain http:// targets: no CONNECT, no tunnel, no TLS; the proxy relays the request.
diagnosis-ok-http-summary = Plain HTTP gets out: { $proxy } forwarded the request to { $target } and it answered with { $status }.
diagnosis-proxy-no-response-http-summary = { $proxy } accepted the connection but sent no complete answer to the plain-HTTP request within { $read_timeout } s ({ $detail }).
diagnosis-proxy-no-response-http-hint = Check that this port is the proxy's HTTP listener (not another service), and look for this request in the proxy's logs: it may be overloaded or stuck on its upstream.
diagnosis-malformed-response-http-hint = The port probably belongs to another service, or a device in the path rewrites the traffic. Check the proxy port: it must be an HTTP forward proxy.
diagnosis-proxy-auth-failed-http-hint = Check the user name and password with the proxy administrator (passwords are case-sensitive; the account may be locked or not allowed plain HTTP), then save them again.
diagnosis-proxy-denied-http-summary = The proxy refused plain HTTP to { $target }: { $status }.
diagnosis-proxy-denied-http-hint = A 403 comes from the proxy's access control list: ask the proxy administrator to allow plain HTTP (port 80, which FMC needs besides 443) from this appliance's address to { $target }, and check the proxy's access log for the denied request.
diagnosis-bad-request-http-summary = The proxy did not accept the plain-HTTP request: { $status }.
diagnosis-bad-request-http-hint = The service on that port may not be a forward proxy (a web server answers a request for a full URL with 400), or it rejects the target name. Check the proxy address and port.
diagnosis-service-unavailable-http-summary = The proxy could not serve the request to { $target }: { $status }.
diagnosis-proxy-error-unauthorized-http-summary = The answer to the plain-HTTP request for { $target } was { $status }: unauthorized, the credentials are missing or wrong (401 in the Cisco note's table), but no challenge came to answer.
diagnosis-proxy-error-not-found-http-summary = The answer to the plain-HTTP request for { $target } was { $status }: the resource was not found (404 in the Cisco note's table).
diagnosis-proxy-error-not-found-http-hint = The proxy or { $target } has no such path: check the URL's path, and the proxy address and port (cat { $conf_path }) in case they lead to a web server rather than the proxy.
diagnosis-proxy-error-internal-error-http-summary = The plain-HTTP request for { $target } failed with an internal error: { $status } (500 in the Cisco note's table: a server error in the proxy or the server).
diagnosis-proxy-error-other-http-summary = The answer to the plain-HTTP request for { $target } was { $status }.
diagnosis-proxy-error-other-http-hint = Look for this status in the proxy's logs and documentation, and ask its administrator why plain HTTP to { $target } is not served.

# Stand-ins for facts that are not known.
diagnosis-no-detail = no detail
diagnosis-no-status = an error status
diagnosis-unknown-issuer = an unknown issuer
diagnosis-unknown-date = unknown
diagnosis-unknown-value = unknown
diagnosis-offered-none = no scheme
diagnosis-offered-separator = {", "}
