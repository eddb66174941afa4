# The support bundle (src/support_bundle.rs): its README, always in English (a support
# engineer reads it), and the link to it on the page.

support-readme =
    fmc-mgmt support bundle
    fmc-mgmt { $version }, made { $at } (UTC).
    
    Secrets are masked: no proxy password (stored or typed), API token, session id, admin
    password hash or key is in any file; each revision says password_set instead.
    
    README.txt        this file
    last-test.json    the newest Test connection: when, who, the values tested, every report
    last-test.txt     the same reports as `fmc-mgmt probe` prints them, stage by stage
    iprep_proxy.conf  the proxy file as found (not through a link); password statements masked
    netstat.txt       the TCP connections to the proxy, as the Diagnostics panel shows them
    host.json         host name, interfaces (addresses, MTU, state), default routes, DNS
    revisions.json    the last { $revisions } revision(s) of the proxy settings, newest first
    tests.json        the last { $tests } test(s), newest first
support-readme-tests-cut =
    {""}
    tests.json holds the newest { $kept } tests only: the bundle stays under { $limit } MiB.
support-readme-no-conf =
    {""}
    iprep_proxy.conf is not included: { $why }.

page-support-bundle = Download support bundle
page-action-support-bundle = support_bundle
web-support-bundle-failed = The support bundle could not be made; see the server's log.
audit-support-bundle = support bundle downloaded: { $tests } test(s), { $bytes } bytes
support-no-test = No test has been run yet.
support-test-heading = Test { $id } at { $at } by { $actor }
