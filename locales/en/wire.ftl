# The wire transcript on the page (src/web/probe_view.rs, templates/probe_result.html):
# what crossed the proxy socket, like tcpdump.

wire-title = Packets (like tcpdump)
wire-count = { $count ->
    [one] { $count } event on the proxy socket
   *[other] { $count } events on the proxy socket
}
wire-caption = Each read, write, handshake, FIN and RST on the connection to the proxy, with its time since the test started. Byte counts only: no request header and no payload is kept.
wire-col-time = Time
wire-col-direction = Direction
wire-col-ends = From → to
wire-col-event = Event
wire-col-bytes = Bytes
wire-col-note = Note
wire-dir-out = sent
wire-dir-in = received
wire-dir-local = on this host
wire-kind-connect = TCP handshake done
wire-kind-connect_failed = TCP handshake failed
wire-kind-write = write
wire-kind-read = read
wire-kind-response_head = proxy's response head
wire-kind-tls_handshake = TLS handshake done
wire-kind-tls_alert = TLS alert from the server
wire-kind-fin = FIN (end of stream)
wire-kind-rst = RST (connection reset)
wire-kind-error = socket error
wire-kind-timeout = time limit reached
wire-kind-close = socket closed
wire-omitted = { $count } more events ({ $bytes } B) left out
