# Test targets (src/settings/targets.rs, src/settings/words.rs): the field, its hint and each refusal, naming the line.

targets-label = Test targets
targets-hint = One URL per line, up to 8; add " download" after a URL to fetch its whole body. Empty: the default target.
targets-too-many = Line { $line }: at most { $max } targets can be tested.
targets-bad-marker = Line { $line }: only the word "download" may follow the URL, not "{ $word }".
targets-duplicate = Line { $line }: { $url } is already on line { $first }.
targets-url-empty = Line { $line }: enter a URL such as https://tools.cisco.com/.
targets-url-no-scheme = Line { $line }: "{ $url }" has no scheme: write https://{ $url }.
targets-url-scheme = Line { $line }: only https:// and http:// URLs can be tested, not { $scheme }://.
targets-url-userinfo = Line { $line }: credentials do not go in the URL (user@host); they are the proxy's, set above.
targets-url-no-host = Line { $line }: the URL has no host.
targets-url-bad-port = Line { $line }: the port in "{ $authority }" must be a whole number from 1 to 65535.
targets-url-unbracketed-ipv6 = Line { $line }: an IPv6 address goes in brackets: https://[{ $host }]/.
targets-url-bad-host = Line { $line }: "{ $host }" is not a valid host name or IP address.
targets-url-bad-path = Line { $line }: the path "{ $path }" has spaces, control or non-ASCII characters; percent-encode them.
targets-last-worst = (the worst of { $count } targets: { $url })
targets-result-heading = { $count } targets; the worst result is first.
