# Words of the audit log, one message per event; variables as named. A save's changes
# are said with the audit-change… and audit-value… messages and joined with the separator.

audit-login-failed = wrong user name or password
audit-refused-while-locked = { $count } attempt(s) refused while locked
audit-saved = revision { $revision }: { $changes }
audit-rolled-back = revision { $revision } restores revision { $target }: { $changes }
audit-imported = revision { $revision }: { $changes } (imported from { $path })
audit-tested = { $code } through { $proxy_host }:{ $proxy_port } to { $target_host }:{ $target_port } in { $ms } ms
audit-shell-set-password = password of '{ $user }' set from the shell
audit-shell-unlock = login locks of '{ $user }' cleared from the shell
audit-no-changes = no changes
audit-change = { $field } { $from } → { $to }
audit-change-separator = {"; "}
audit-password-set = password set
audit-password-cleared = password cleared
audit-password-changed = password changed
audit-value-empty = (empty)
audit-value-on = on
audit-value-off = off
