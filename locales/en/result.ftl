# The test result's head, the live view's progress and Cancel (src/web/probe_view.rs, probe_result.html, static/fmc.js).

## The headline: what happened in words, then the code.
result-headline = { $title } ({ $code })
result-title-ok = Traffic gets out through the proxy
result-title-proxy-dns-failed = The proxy's name does not resolve
result-title-proxy-unreachable = Nothing answers at the proxy's address
result-title-connect-timeout = The proxy does not answer the TCP handshake
result-title-proxy-no-response = The proxy does not answer the CONNECT
result-title-malformed-response = The proxy's answer is not HTTP
result-title-proxy-auth-required = The proxy asks for authentication
result-title-proxy-auth-failed = The proxy rejects the credentials
result-title-ntlm-unsupported = The proxy offers only NTLM
result-title-proxy-denied = Access denied by the proxy
result-title-bad-request = The proxy refuses the request
result-title-bad-gateway = The proxy cannot reach the target
result-title-service-unavailable = The proxy cannot serve the target
result-title-gateway-timeout = The proxy timed out reaching the target
result-title-proxy-error = The proxy answered with an error
result-title-tunnel-idle = No answer through the tunnel
result-title-connection-reset = The connection was reset in the tunnel
result-title-tls-untrusted = The target's certificate is not trusted
result-title-tls-expired = The target's certificate has expired
result-title-tls-name-mismatch = The certificate is for another name
result-title-tls-failed = The TLS handshake failed
result-title-mtu-suspected = Large packets are lost on the way
result-title-transfer-stalled = The download stalled
result-title-transfer-truncated = The download was cut short

## What was tested.
result-tested = What was tested
result-tested-proxy = Proxy
result-tested-user = User
result-tested-no-user = none (no authentication)
result-tested-targets = { $count ->
        [one] Target
       *[other] Targets
    }
result-tested-at = Tested at
result-not-saved = These values are not saved.
result-disabled = The proxy is disabled: appliances do not use it.

## A test refused by the field checks.
result-not-tested-heading = Not tested: { $fields } { $fields ->
        [one] field needs
       *[other] fields need
    } attention

## A stage's marks.
result-skipped = skipped

## The live view: the stage in progress, its running time, Cancel.
result-cancel = Cancel
result-cancelled = The test was cancelled.
result-doing-resolve = Looking up the proxy's address…
result-doing-tcp-connect = Connecting to the proxy…
result-doing-connect = Asking the proxy for a tunnel (CONNECT)…
result-doing-tls-handshake = TLS handshake through the tunnel…
result-doing-https-request = Sending the HTTPS request…
result-doing-large-request = Sending the large request…
result-doing-download = Downloading…
result-doing-close = Closing the connection…
