# The page's fixed words (Texts in src/i18n/catalog.rs): one message per label, id page-<field>.
# Terms follow Cisco's Chinese FMC documentation in the zh-CN file.


## The frame (base.html, user_menu.html).
page-product = Firewall Management Center
page-system = System
page-configuration = Configuration
page-monitoring = Monitoring
page-audit = Audit
page-main-menu = Main menu
page-menu-overview = Overview
page-menu-analysis = Analysis
page-menu-policies = Policies
page-menu-devices = Devices
page-menu-objects = Objects
page-menu-integration = Integration
page-menu-deploy = Deploy
page-audit-log = Audit Log
page-api-tokens = API Tokens
page-signed-in = Signed in
page-log-out = Log Out
page-language = Language
page-language-auto = Browser default
page-language-en = English
page-language-zh-cn = 简体中文
page-apply = Apply
page-back-to-page = Back to Management Interfaces

## The page (management_interfaces.html).
page-management-interfaces = Management Interfaces
page-configuration-pages = Configuration pages
page-interfaces = Interfaces
page-no-interfaces = No management interface (a physical network interface) was found in /sys/class/net.
page-interface = Interface
page-channels = Channels
page-management-traffic = Management Traffic
page-event-traffic = Event Traffic
page-mac-address = MAC Address
page-ip-address = IP Address
page-interfaces-read-only = Read from this host (read-only): its physical interfaces, up or down, from /sys/class/net; addresses from /proc/net. Interfaces are not managed here.
page-routes = Routes
page-ipv4-routes = IPv4 Routes
page-ipv6-routes = IPv6 Routes
page-destination = Destination
page-netmask = Netmask
page-prefix-length = Prefix Length
page-gateway = Gateway
page-no-ipv4-routes = No IPv4 route is set on this host.
page-no-ipv6-routes = No IPv6 route is set on this host.
page-routes-read-only = Read from /proc/net/route and /proc/net/ipv6_route (read-only). The routes the kernel makes by itself (each address's own subnet, local, link-local and multicast routes) are not listed.
page-shared-settings = Shared Settings
page-hostname = Hostname
page-domains = Domains
page-primary-dns-server = Primary DNS Server
page-secondary-dns-server = Secondary DNS Server
page-tertiary-dns-server = Tertiary DNS Server
page-remote-management-port = Remote Management Port
page-shared-read-only = Read from /proc/sys/kernel/hostname and /etc/resolv.conf (read-only).
page-icmpv6-echo-reply = Enable Echo Reply Packets
page-icmpv6-unreachable = Enable Destination Unreachable Packets
page-icmpv6-off = IPv6 is off on this host (there is no /proc/sys/net/ipv6): it sends no ICMPv6.
page-cancel = Cancel
page-search = Search
page-search-pages = Search the configuration pages
page-search-show-all = Show all pages
page-help = Help
page-api-document = API document (OpenAPI)
page-user-menu = User menu
page-proxy = Proxy
page-note = Note:
page-note-ntlm = Proxies that use NT LAN Manager (NTLM) authentication are not supported.
page-note-fqdn = If you are using Smart Licensing, the proxy FQDN cannot have more than 64 characters.
page-conflict-body = Nothing was overwritten. Your values are kept in the form; compare them with the current ones, then Save again to replace them, or reload to discard yours.
page-field = Field
page-yours = Yours
page-yes = yes
page-no = no
page-enabled = Enabled
page-http-proxy = HTTP Proxy
page-host-title = IP address or fully qualified domain name, without scheme or port
page-host-hint = IP address or fully qualified domain name
page-port = Port
page-use-proxy-authentication = Use Proxy Authentication
page-user-name = User Name
page-user-name-title = 1–64 characters, no ':'
page-password = Password
page-password-title = 1–128 printable ASCII characters, no spaces
page-password-set = Password set — leave blank to keep.
page-no-password = No password stored.
page-confirm-password = Confirm Password
page-save = Save
page-test-connection = Test connection
# Test before saving (SPEC §6): the checkbox near Save, and Save anyway when the test fails.
page-test-before-saving = Test before saving
page-test-before-saving-hint = Save tests the new values first; if the test does not pass, nothing is saved until you choose Save anyway.
page-save-anyway = Save anyway
page-save-anyway-intro = The test did not pass, so nothing was saved. Save anyway keeps these values regardless.
page-save-anyway-retype = You typed a new password. It is never sent back to the browser: type it again to save it anyway.
# The help popover beside Test connection: the Cisco note's status table.
page-status-help = HTTP status codes
page-status-help-intro = What the proxy's answer to Test connection means, from Cisco's proxy troubleshooting note:
page-status-code = HTTP code
page-status-meaning = Meaning
page-status-cause = Cause
page-note-status-400 = Bad Request
page-note-status-400-cause = Incorrect request syntax
page-note-status-401 = Unauthorized
page-note-status-401-cause = Credentials missing or incorrect
page-note-status-403 = Forbidden
page-note-status-403-cause = Access denied
page-note-status-404 = Not Found
page-note-status-404-cause = Resource not found
page-note-status-500 = Internal Error
page-note-status-500-cause = Server error
page-note-status-502 = Bad Gateway
page-note-status-502-cause = Server communication error
page-note-status-503 = Service Unavailable
page-note-status-503-cause = Server overloaded or in maintenance
page-note-status-504 = Gateway Timeout
page-note-status-504-cause = Timeout between servers
page-history = History
page-diagnostics = Diagnostics
page-last-test = Last Test connection
page-no-test-yet = No test since the server started.
page-no-connections = (no TCP connections to the proxy right now)
page-recent-tests = Recent tests
page-no-recent-tests = No test stored yet.
page-recent-when = When
page-recent-who = Who
page-recent-proxy = Proxy
page-recent-verdict = Verdict
page-recent-summary = Summary
page-verdict-ok = OK
page-verdict-failed = Failed

## The live view (fmc.js reads these from data-* attributes).
page-testing = Testing…
page-testing-connection = Testing the connection…
page-test-could-not-run = The test could not run (HTTP {"{"}status{"}"}).
page-test-interrupted = The test was interrupted:{" "}

## The probe result (probe_result.html).
page-result-heading = Test connection:
page-next-step = Next step:
page-stages = Stages
page-passed = passed
page-failed = failed
page-not-run = not run
page-stage-resolve = DNS lookup of the proxy
page-stage-tcp-connect = TCP handshake with the proxy
page-stage-connect = CONNECT request
page-stage-connect-plain = Request through the proxy (plain HTTP)
page-stage-tls-handshake = TLS handshake through the tunnel
page-stage-https-request = HTTPS request
page-stage-large-request = Large request
page-stage-close = Close the connection
page-connect-answer = Proxy's answer to CONNECT
page-certificate = Certificate
page-issuer = Issuer
page-valid-until = Valid until
page-https-answer = HTTPS answer:
page-same-test-with-curl = The same test with curl

## Login (login.html).
page-log-in-title = Log in
page-username = Username
page-log-in = Log In

## History (history.html).
page-proxy-history = Proxy History
page-no-revision-yet = No revision saved yet.
page-revision = Revision
page-saved-utc = Saved (UTC)
page-by = By
page-changes = Changes
page-on = on
page-off = off
page-auth = auth
page-current = current
page-no-changes = no changes
page-change-password-set = password set
page-change-password-cleared = password cleared
page-change-password-changed = password changed
page-empty = (empty)
page-list-separator = ;{" "}

## Audit log (audit.html).
page-no-events-yet = No events yet.
page-time-utc = Time (UTC)
page-user = User
page-address = Address
page-action = Action
page-detail = Detail

## The actions, as the log records them (English shows the recorded name).
page-action-login = login
page-action-logout = logout
page-action-login-failed = login_failed
page-action-login-locked = login_locked
page-action-save = save
page-action-rollback = rollback
page-action-probe = probe
page-action-api-token-created = api_token_created
page-action-api-token-revoked = api_token_revoked
page-action-set-password = set_password
page-action-unlock = unlock

## API tokens (api_tokens.html).
page-tokens-intro-before = Scripts use the JSON API (
page-openapi-document = OpenAPI document
page-tokens-intro-after = ) with
page-tokens-intro-end = {"."}
page-token-created-before = Token
page-token-created-after = created. Copy it now; it is not shown again:
page-new-token = New token
page-name = Name
page-create-token = Create token
page-tokens = Tokens
page-no-tokens = No tokens.
page-created = Created
page-last-used = Last used
page-never = never
page-expires = Expires
page-expired = expired
page-days-30 = in 30 days
page-days-90 = in 90 days
page-days-365 = in a year
page-never-expires = never
page-revoke = Revoke

## Error pages (error.html).
page-nothing-saved = Nothing was saved.

## FMC 7.4's configuration pages (the page list on the left), in FMC's English order.
page-config-access-list = Access List
page-config-access-control-preferences = Access Control Preferences
page-config-audit-log = Audit Log
page-config-audit-log-certificate = Audit Log Certificate
page-config-change-reconciliation = Change Reconciliation
page-config-console-configuration = Console Configuration
page-config-dns-cache = DNS Cache
page-config-dashboard = Dashboard
page-config-database = Database
page-config-email-notification = Email Notification
page-config-external-database-access = External Database Access
page-config-https-certificate = HTTPS Certificate
page-config-information = Information
page-config-intrusion-policy-preferences = Intrusion Policy Preferences
page-config-language = Language
page-config-login-banner = Login Banner
page-config-management-interfaces = Management Interfaces
page-config-network-analysis-policy-preferences = Network Analysis Policy Preferences
page-config-process = Process
page-config-rest-api-preferences = REST API Preferences
page-config-remote-storage-device = Remote Storage Device
page-config-snmp = SNMP
page-config-session-timeout = Session Timeout
page-config-time = Time
page-config-time-synchronization = Time Synchronization
page-config-ucapl-cc-compliance = UCAPL/CC Compliance
page-config-user-configuration = User Configuration
page-config-vulnerability-mapping = Vulnerability Mapping
page-config-web-analytics = Web Analytics

## Words with values in them.
# The window title: the page, then the product.
page-window-title = { $page } — { page-product }
page-not-saved-heading = Not saved: { $fields } { $fields ->
        [one] field needs
       *[other] fields need
    } attention
page-conflict-heading = Someone else saved revision { $revision } ({ $actor }, { $at }) while you were editing
page-current-revision = Current (revision { $revision })
page-last-test-by = { $at } by { $by }:
page-auth-offered = Authentication offered: { $offered }
page-auth-answered = ; answered with { $used } ({ $rounds } { $rounds ->
        [one] round
       *[other] rounds
    })
page-icmpv6-echo-source = From net.ipv6.icmp.echo_ignore_all = { $value } (0: the host answers pings).
page-icmpv6-unreachable-source = Linux always sends them; no setting turns them off. net.ipv6.icmp.ratelimit = { $ratelimit } ms spaces the ICMPv6 types in net.ipv6.icmp.ratemask = { $ratemask } (Destination Unreachable is type 1).
page-restores = (restores { $revision })
page-roll-back-to = Roll back to { $revision }

## The reason phrase of an error page's status (RFC 9110's words in English).
page-status-400 = Bad Request
page-status-401 = Unauthorized
page-status-403 = Forbidden
page-status-404 = Not Found
page-status-405 = Method Not Allowed
page-status-408 = Request Timeout
page-status-409 = Conflict
page-status-413 = Payload Too Large
page-status-415 = Unsupported Media Type
page-status-422 = Unprocessable Entity
page-status-429 = Too Many Requests
page-status-500 = Internal Server Error
page-status-503 = Service Unavailable
