# 审核日志的用语，每个事件一条消息；变量名同英文。

audit-login-failed = 用户名或密码错误
audit-refused-while-locked = 锁定期间拒绝了 { $count } 次登录尝试
audit-saved = 修订版本 { $revision }：{ $changes }
audit-rolled-back = 修订版本 { $revision } 恢复了修订版本 { $target }：{ $changes }
audit-imported = 修订版本 { $revision }：{ $changes }（从 { $path } 导入）
audit-tested = { $code }：经由 { $proxy_host }:{ $proxy_port } 到 { $target_host }:{ $target_port }，用时 { $ms } ms
audit-shell-set-password = 已从 shell 设置用户“{ $user }”的密码
audit-shell-unlock = 已从 shell 清除用户“{ $user }”的登录锁定
audit-no-changes = 无更改
audit-change = { $field } { $from } → { $to }
audit-change-separator = {"；"}
audit-password-set = 已设置密码
audit-password-cleared = 已清除密码
audit-password-changed = 已更改密码
audit-value-empty = （空）
audit-value-on = 开
audit-value-off = 关
