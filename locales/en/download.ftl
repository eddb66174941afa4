# The download stage (`--download`, a target marked for it): GET the URL, read the whole body
# up to --max-filesize, and the two verdicts when the body does not come whole.

page-stage-download = Download

# Stage details.
probe-download-get-status = GET { $path } -> { $status }
probe-download-read = { $status }: { $bytes } bytes ({ $human }) in { $secs } s, { $rate }/s
probe-download-read-of = { $status }: { $bytes } of { $expected } bytes ({ $human }) in { $secs } s, { $rate }/s
probe-download-limited = { $status }: stopped at the --max-filesize limit after { $bytes } bytes ({ $human }) in { $secs } s, { $rate }/s; the rest was not read
probe-download-stalled = { $status }: { $received } came, then no data within { $limit }
probe-download-closed = { $status }: the connection ended after { $received }
probe-download-failed = { $status }: reading the body failed after { $received }: { $why }
probe-download-malformed = { $status }: the chunked body is malformed after { $received }: { $why }
probe-download-get-could-not-be-sent-why = GET could not be sent: { $why }
probe-download-get-could-not-be-sent-within = GET could not be sent within { $limit }
probe-download-not-run-closed = not run: the server closed the connection after its answer, leaving none to download on

# Verdicts.
diagnosis-received = { $bytes } bytes
diagnosis-received-of = { $bytes } of { $expected } bytes
diagnosis-transfer-stalled-summary = The download from { $target } started and then stopped: { $received } got through, then no data came within { $read_timeout } s. The way out works for requests, but this transfer was held up on the way.
diagnosis-transfer-stalled-hint = Something between here and { $target } holds the transfer: a TLS-inspecting or content-scanning proxy that buffers the file before passing it on, or a proxy size or time limit on transfers. Ask the proxy admin to exempt { $target } from inspection and check the proxy's limits and logs for this request; `curl -x … -o /dev/null` shows the same stall.
diagnosis-transfer-truncated-summary = The download from { $target } was cut short: the connection ended after { $received }.
diagnosis-transfer-truncated-hint = A proxy size limit (squid's reply_body_max_size, for one), an inspection engine or a transfer time limit ended the transfer early. Ask the proxy admin to raise the size or time limit for { $target } or exempt it from inspection, and check the proxy's logs for this request.
