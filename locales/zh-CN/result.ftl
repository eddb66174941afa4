# 测试结果的标题、实时视图的进度与取消（src/web/probe_view.rs、probe_result.html、static/fmc.js）。

## 标题：先用文字说明发生了什么，再给出代码。
result-headline = { $title }（{ $code }）
result-title-ok = 流量可以通过代理出站
result-title-proxy-dns-failed = 无法解析代理名称
result-title-proxy-unreachable = 代理地址上没有服务应答
result-title-connect-timeout = 代理未应答 TCP 握手
result-title-proxy-no-response = 代理未应答 CONNECT
result-title-malformed-response = 代理的应答不是 HTTP
result-title-proxy-auth-required = 代理要求身份验证
result-title-proxy-auth-failed = 代理拒绝了凭据
result-title-ntlm-unsupported = 代理仅提供 NTLM
result-title-proxy-denied = 代理拒绝访问
result-title-bad-request = 代理拒绝该请求
result-title-bad-gateway = 代理无法访问目标
result-title-service-unavailable = 代理无法为目标提供服务
result-title-gateway-timeout = 代理访问目标超时
result-title-proxy-error = 代理以错误应答
result-title-tunnel-idle = 隧道内没有应答
result-title-connection-reset = 隧道内的连接被重置
result-title-tls-untrusted = 目标的证书不受信任
result-title-tls-expired = 目标的证书已过期
result-title-tls-name-mismatch = 证书属于其他名称
result-title-tls-failed = TLS 握手失败
result-title-mtu-suspected = 大数据包在途中丢失
result-title-transfer-stalled = 下载停滞
result-title-transfer-truncated = 下载被截断

## 测试的内容。
result-tested = 测试的内容
result-tested-proxy = 代理
result-tested-user = 用户
result-tested-no-user = 无（不使用身份验证）
result-tested-targets = { $count ->
       *[other] 测试目标
    }
result-tested-at = 测试时间
result-not-saved = 这些值尚未保存。
result-disabled = 代理已禁用：设备不会使用它。

## 字段检查拒绝的测试。
result-not-tested-heading = 未测试：{ $fields } 个字段需要更正

## 阶段的标记。
result-skipped = 已跳过

## 实时视图：进行中的阶段、已用时间、取消。
result-cancel = 取消
result-cancelled = 测试已取消。
result-doing-resolve = 正在解析代理地址…
result-doing-tcp-connect = 正在连接代理…
result-doing-connect = 正在请求代理建立隧道（CONNECT）…
result-doing-tls-handshake = 正在通过隧道进行 TLS 握手…
result-doing-https-request = 正在发送 HTTPS 请求…
result-doing-large-request = 正在发送大数据包请求…
result-doing-download = 正在下载…
result-doing-close = 正在关闭连接…
