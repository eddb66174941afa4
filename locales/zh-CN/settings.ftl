# settings 模块的文字：代理字段的每种拒绝一条消息；变量与英文相同。

settings-host-empty = 请输入代理的 IP 地址或完全限定域名。
settings-host-control-character = 主机不能包含控制字符。
settings-host-space = 主机不能包含空格。
settings-host-has-port = 只需输入主机；端口请填写在“端口”中。
settings-host-has-path = 只需输入主机，不要包含路径或用户名。
settings-host-unclosed-bracket = 方括号中的 IPv6 地址缺少右方括号“]”。
settings-host-too-long = 主机最多 { $max } 个字符（智能许可的限制）。
settings-host-bad-ipv6 = “{ $host }”不是有效的 IPv6 地址。
settings-host-brackets-not-ipv6 = 只有 IPv6 地址才能放在方括号中。
settings-host-bad-ipv4 = “{ $host }”不是有效的 IPv4 地址。
settings-host-name-too-long = 名称最多 { $max } 个字符（此处为 { $len } 个）。
settings-host-empty-label = 名称中有空标签（连续两个点，或以点开头或结尾）。
settings-host-label-too-long = 名称的每个部分最多 63 个字符（“{ $label }”有 { $len } 个）。
settings-host-bad-character = “{ $label }”只能包含字母、数字和连字符。
settings-host-hyphen-at-edge = “{ $label }”不能以连字符开头或结尾。
settings-port-empty = 请输入代理的端口。
settings-port-not-a-number = 端口必须是 1 到 65535 之间的整数。
settings-port-out-of-range = 端口必须在 1 到 65535 之间。
settings-username-empty = 请输入代理的用户名。
settings-username-control-character = 用户名不能包含控制字符。
settings-username-colon = 用户名不能包含“:”（它无法在 Basic 凭据中传输）。
settings-username-too-long = 用户名最多 { $max } 个字符。
settings-password-empty = 请输入代理密码。
settings-password-too-long = 密码最多 { $max } 个字符。
settings-password-not-printable = 密码只能包含字母、数字和可打印的特殊字符（不能包含空格、控制字符或非 ASCII 字符）。
settings-password-mismatch = 密码与确认密码不一致。
settings-password-not-kept = 已存储的密码仅用于保存它时的代理和用户名；请为此代理输入密码。

# A changed field in History and the audit log: English keeps the name the form and the
# API use (scripts read it); other languages give the page's label with that name after it.
history-field-enabled = 已启用（enabled）
history-field-host = HTTP 代理（host）
history-field-port = 端口（port）
history-field-use_auth = 使用代理身份验证（use_auth）
history-field-username = 用户名（username）
history-field-targets = 测试目标（targets）
