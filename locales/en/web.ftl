# Words of the web layer (pages, forms, the guard), one message per fact; variables as named.

web-page-unavailable = This page is not available. Nothing was changed.
web-no-such-page = There is no page at this address.
web-assets-no-such-file = no such file

# Forms: reading the body.
web-form-too-large-for-proxy = The form is too large to be a Proxy form; nothing was saved.
# The English quotes axum's own words ($why); the other languages say the fact without them.
web-form-unreadable-quoting = The form could not be read: { $why }
web-form-unreadable = The form could not be read: the request body was incomplete or broke off in transit. Nothing was saved; reload the page and try again.
web-form-not-urlencoded = Send the form as application/x-www-form-urlencoded, as the page does.
web-form-invalid = This request is not a valid Proxy form: { $why }. Nothing was saved; reload the page and try again.
web-form-field-not-utf8 = the form field '{ $field }' is not valid UTF-8 text
web-form-field-twice = the form sent the field '{ $field }' more than once
web-form-field-missing = the form is missing the field { $fields }
web-form-fields-missing = the form is missing the fields { $fields }
web-form-field-not-a-checkbox = the field '{ $field }' must be a checkbox value ('on'), not '{ $value }'
web-form-field-not-a-number = the field '{ $field }' must be a whole number

# The guard: origin and CSRF checks.
web-guard-cross-site = This request came from another site (its Origin is not this server). Nothing was changed.
web-guard-api-origin-missing = API writes with a session must send a same-origin Origin header.
web-guard-api-csrf-missing = API writes need the session's CSRF token in the X-CSRF-Token header.
web-guard-form-too-large = The form is too large to be one of this page's forms; nothing was saved.
web-guard-csrf-token-stale = The form's security token is missing or out of date (was the page open across a logout?). Nothing was saved; reload the page and try again.

# Log in.
web-login-form-expired = The login form expired or came from elsewhere. Please log in again.
web-login-invalid = Invalid user name or password.
web-login-locked = Too many failed logins for this user or address. Login is locked; try again in { $seconds } seconds.
web-login-address-busy = Another login from your address is being checked. Try again in a moment.
web-login-server-busy = The server is busy checking other logins. Try again in a moment.

web-language-unknown = Choose English, 简体中文, or the browser's language.

# API tokens.
web-token-name-invalid = Name the token (1–64 characters, e.g. the script that uses it).
web-token-lifetime-invalid = Choose how long the token lives: 30, 90 or 365 days, or never expires.

# Saving and rolling back the proxy settings.
web-flash-saved = Saved. The proxy settings are now revision { $revision }.
web-flash-rolled-back = Rolled back: revision { $revision } restores the settings of revision { $target }.
web-save-file-not-written = { $path } could not be written ({ $why })
web-save-not-written = Not saved: { $why }. The database is unchanged; Save again once this is fixed.
web-save-anyway-retype = Not saved: you typed a new password before the test. Type it again to save anyway, or the stored password would be kept instead.
web-history-no-such-revision = There is no revision { $revision }.
web-history-cannot-restore = Revision { $revision } cannot be restored: { $why }
web-history-stale = Not rolled back: revision { $current } was saved after this list was loaded. Check the list and try again.
web-history-not-written = Not rolled back: { $why }. The database is unchanged.

# Test connection.
web-probe-result-not-shown = The result could not be shown; see the server log.
