# 测试目标（src/settings/targets.rs、src/settings/words.rs）：字段、提示以及每种拒绝，指明行号；变量与英文相同。

targets-label = 测试目标
targets-hint = 每行一个 URL，最多 8 个；在 URL 后加“ download”可下载完整内容。留空：默认目标。
targets-too-many = 第 { $line } 行：最多只能测试 { $max } 个目标。
targets-bad-marker = 第 { $line } 行：URL 后只能跟单词“download”，而不是“{ $word }”。
targets-duplicate = 第 { $line } 行：{ $url } 已在第 { $first } 行。
targets-url-empty = 第 { $line } 行：请输入 URL，例如 https://tools.cisco.com/。
targets-url-no-scheme = 第 { $line } 行：“{ $url }”缺少协议：请写成 https://{ $url }。
targets-url-scheme = 第 { $line } 行：只能测试 https:// 和 http:// 的 URL，不能测试 { $scheme }://。
targets-url-userinfo = 第 { $line } 行：凭据不能写在 URL 中（user@host）；凭据属于代理，请在上方设置。
targets-url-no-host = 第 { $line } 行：URL 缺少主机。
targets-url-bad-port = 第 { $line } 行：“{ $authority }”中的端口必须是 1 到 65535 之间的整数。
targets-url-unbracketed-ipv6 = 第 { $line } 行：IPv6 地址须放在方括号中：https://[{ $host }]/。
targets-url-bad-host = 第 { $line } 行：“{ $host }”不是有效的主机名或 IP 地址。
targets-url-bad-path = 第 { $line } 行：路径“{ $path }”包含空格、控制字符或非 ASCII 字符，请进行百分号编码。
targets-last-worst = （{ $count } 个目标中最差的：{ $url }）
targets-result-heading = 共 { $count } 个目标；最差的结果排在最前。
