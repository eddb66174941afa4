"""Edge cases of the host rule, asked of the document's pattern and of the server alike.

Generated strings rarely land next to the edge (a leading zero in an IPv4 octet, `::` in
every place, a 64-character label), so scripts/schemathesis also sends these: for each
host the server must accept it (a 200 or a 409 -- validation passed, only the revision is
old) exactly when the document's pattern and maxLength allow it.
Usage: python3 schemathesis_hosts.py BASE_URL TOKEN
"""

import json
import re
import sys
import urllib.error
import urllib.request

HOSTS = [
    "0", "0.0.0.0", "01.2.3.4", "1.2.3.04", "1.2.3", "1.2.3.4.5", "256.1.1.1", "123", "1e5.x",
    "1.2.3.4a", "a1.2.3.4", "1.2.3.a", "1-2", "a-", "-a", "a..b", "a.", ".a", "a_b", "\u00e4.com",
    "A.B.C", "xn--bcher-kva.example", "a" * 63, "a" * 64, "a." + "b" * 62, "x" * 63 + ".y",
    "::", "::1", "1::", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8::", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1:2", "1:2:", "12345::",
    "0000:0000::0:0", "fe80::1%eth0", "[::1]", "[::1", "[1.2.3.4]", "[2001:db8::1]",
    "::ffff:1.2.3.4", "::ffff:255.255.255.255", "::ffff:256.1.1.1", "::1.2.3.04",
    "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5::1.2.3.4", "1:2:3:4:5:6::1.2.3.4", "1.2.3.4::",
    "2001:db8::192.168.0.1", "proxy:3128", "http://proxy", "proxy/x", "a b", "",
]


def main(base, token):
    doc = json.load(urllib.request.urlopen(urllib.request.Request(
        base + "/api/v1/openapi.json", headers={"Authorization": "Bearer " + token})))
    host = doc["components"]["schemas"]["ProxyPut"]["properties"]["host"]
    # JSON Schema's `$` is the end of the string; Python's also matches before a final newline.
    pattern = re.compile(host["pattern"][:-1] + r"\Z")
    disagree = 0
    for h in HOSTS:
        body = json.dumps({"enabled": False, "host": h, "revision": 0}).encode()
        request = urllib.request.Request(base + "/api/v1/proxy", data=body, method="PUT", headers={
            "Authorization": "Bearer " + token, "Content-Type": "application/json"})
        try:
            status = urllib.request.urlopen(request).status
        except urllib.error.HTTPError as e:
            status = e.code
        server = status in (200, 409)
        schema = bool(pattern.match(h)) and len(h) <= host["maxLength"]
        if server != schema:
            disagree += 1
            print(f"host {h!r}: the server answers {status}, the document {'allows' if schema else 'forbids'} it")
    print(f"host edge cases: {len(HOSTS)} sent, {disagree} where the server and the document disagree")
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
