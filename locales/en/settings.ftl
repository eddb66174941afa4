# Words of the settings module: one message per refusal of a proxy field (src/settings/words.rs).

settings-host-empty = Enter the proxy's IP address or fully qualified domain name.
settings-host-control-character = The host must not contain control characters.
settings-host-space = The host must not contain spaces.
settings-host-has-port = Enter the host only; the port goes in Port.
settings-host-has-path = Enter the host only, without a path or user name.
settings-host-unclosed-bracket = An IPv6 address in brackets needs the closing ']'.
settings-host-too-long = The host may be at most { $max } characters (the Smart Licensing limit).
settings-host-bad-ipv6 = '{ $host }' is not a valid IPv6 address.
settings-host-brackets-not-ipv6 = Only IPv6 addresses go in brackets.
settings-host-bad-ipv4 = '{ $host }' is not a valid IPv4 address.
settings-host-name-too-long = The name may be at most { $max } characters ({ $len } given).
settings-host-empty-label = The name has an empty label (two dots in a row, or a dot at an end).
settings-host-label-too-long = Each part of the name may be at most 63 characters ('{ $label }' has { $len }).
settings-host-bad-character = '{ $label }' may contain only letters, digits and hyphens.
settings-host-hyphen-at-edge = '{ $label }' must not start or end with a hyphen.
settings-port-empty = Enter the proxy's port.
settings-port-not-a-number = The port must be a whole number from 1 to 65535.
settings-port-out-of-range = The port must be from 1 to 65535.
settings-username-empty = Enter the user name for the proxy.
settings-username-control-character = The user name must not contain control characters.
settings-username-colon = The user name must not contain ':' (it cannot travel in Basic credentials).
settings-username-too-long = The user name may be at most { $max } characters.
settings-password-empty = Enter the proxy password.
settings-password-too-long = The password may be at most { $max } characters.
settings-password-not-printable = The password may contain only letters, digits and the printable specials (no spaces, control or non-ASCII characters).
settings-password-mismatch = The password and its confirmation differ.
settings-password-not-kept = The stored password is kept only for the proxy and user name it was saved with; enter the password for this one.

# A changed field in History and the audit log: English keeps the name the form and the
# API use (scripts read it); other languages give the page's label with that name after it.
history-field-enabled = enabled
history-field-host = host
history-field-port = port
history-field-use_auth = use_auth
history-field-username = username
history-field-targets = targets
