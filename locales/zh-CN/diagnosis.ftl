# 测试连接：每个诊断代码的摘要和下一步（SPEC §6）。变量与 locales/en/diagnosis.ftl 相同。

diagnosis-ok-summary = 流量可以出站：{ $proxy } 已打开到 { $target } 的隧道，服务器的证书受信任，并且它通过 HTTPS 作出了应答。
diagnosis-ok-hint = 无需修复。请保留此结果及其 curl 命令，作为以后测试的基准。
diagnosis-proxy-dns-failed-summary = 无法解析代理名称 { $proxy_host }（{ $detail }）。
diagnosis-proxy-dns-failed-hint = 请检查“HTTP 代理”字段是否有拼写错误，并确认本设备的 DNS 服务器（共享设置）能够解析 { $proxy_host }；或者输入代理的 IP 地址。
diagnosis-proxy-unreachable-summary = { $proxy } 上没有任何服务接受 TCP 连接（{ $detail }）。
diagnosis-proxy-unreachable-hint = 请对照代理的配置检查地址和端口（cat /etc/sf/iprep_proxy.conf），确认代理服务正在该端口上运行，并确认本设备与代理之间没有防火墙或路由阻止连接；netstat -na | grep { $proxy_host } 可显示连接尝试。
diagnosis-connect-timeout-summary = 与 { $proxy } 的 TCP 握手未在 { $connect_timeout } 秒内完成：SYN 没有得到应答。
diagnosis-connect-timeout-hint = 路径上的防火墙或 ACL 丢弃了 SYN、路由错误，或者代理主机已关闭。请在管理接口上抓包（tcpdump -n host { $proxy_host }）：只有 SYN 重传而没有 SYN-ACK 即可确认；然后检查本设备与代理之间的路由和 ACL。
diagnosis-proxy-no-response-summary = { $proxy } 接受了连接，但未在 { $read_timeout } 秒内对 CONNECT 发送完整的应答（{ $detail }）。
diagnosis-proxy-no-response-hint = 请确认此端口是代理的 HTTP 侦听端口（而不是其他服务），并在代理日志中查找此 CONNECT 请求：代理可能已过载，或卡在其上游。
diagnosis-malformed-response-summary = 来自 { $proxy } 的应答不是有效的 HTTP 响应：{ $detail }。
diagnosis-malformed-response-hint = 该端口可能属于其他服务，或者路径中的设备改写了流量。请检查代理端口：它必须是支持 CONNECT 的 HTTP 代理。
diagnosis-proxy-auth-required-summary = 代理要求身份验证（407，提供 { $offered }），但未提供凭据。
diagnosis-proxy-auth-required-hint = 请启用“使用代理身份验证”，并输入代理帐户的用户名和密码（使用 CLI 时：-U USER）。
diagnosis-proxy-auth-failed-summary = 代理拒绝了凭据：应答 { $rounds } 次后仍返回 407（代理提供 { $offered }）。
diagnosis-proxy-auth-failed-hint = 请与代理管理员核对用户名和密码（密码区分大小写；帐户可能已被锁定或不允许使用 CONNECT），然后重新保存。
diagnosis-ntlm-unsupported-summary = 代理仅提供 { $offered }（Windows 集成身份验证），FMC 不支持该方式。
diagnosis-ntlm-unsupported-hint = 请让代理管理员为本设备启用 Basic 或 Digest 身份验证，或允许本设备的地址无需身份验证即可通过。
diagnosis-proxy-denied-summary = 代理拒绝了到 { $target } 的隧道：{ $status }。
diagnosis-proxy-denied-hint = 403 来自代理的访问控制列表：请让代理管理员允许从本设备地址到 { $target } 的 CONNECT，并在代理的访问日志中查看被拒绝的请求。
diagnosis-bad-request-summary = 代理不接受该 CONNECT 请求：{ $status }。
diagnosis-bad-request-hint = 该端口上的服务可能不是正向代理（Web 服务器或反向代理会以 400 应答 CONNECT），或者它拒绝该目标名称。请检查代理地址和端口。
diagnosis-bad-gateway-summary = 代理自身无法访问 { $target }：{ $status }。
diagnosis-bad-gateway-hint = 代理自身的出站路径失败：其 DNS、上游防火墙，或拒绝该目标的 ACL（Cisco 技术说明将 502 与 403 一同列为代理 ACL 的症状）。请让代理管理员在其日志中查找 { $target }。
diagnosis-service-unavailable-summary = 代理无法提供到 { $target } 的隧道：{ $status }。
diagnosis-service-unavailable-hint = 代理已过载、正在维护，或无法在上游访问 { $target }。请检查代理日志及其到 { $target } 的连通性，然后重新测试。
diagnosis-gateway-timeout-summary = 代理连接 { $target } 超时：{ $status }。
diagnosis-gateway-timeout-hint = 代理到 { $target } 的路径缓慢或被阻止：请检查其上游防火墙、DNS 和路由，以及其连接超时设置。
# proxy_error：按 Cisco 技术说明状态码表中该状态的含义说明。
diagnosis-proxy-error-unauthorized-summary = 代理以 { $status } 应答到 { $target } 的 CONNECT：未授权，凭据缺失或不正确（Cisco 技术说明表中的 401），但代理未发送可应答的质询。
diagnosis-proxy-error-unauthorized-hint = 请对照代理的用户数据库检查“使用代理身份验证”、用户名和密码。如果它们正确，请询问代理管理员为何应答 401 而不发送质询：代理应以 407 和 Proxy-Authenticate 要求凭据。
diagnosis-proxy-error-not-found-summary = 代理以 { $status } 应答到 { $target } 的 CONNECT：找不到资源（Cisco 技术说明表中的 404）。
diagnosis-proxy-error-not-found-hint = 正向代理不会以 404 应答 CONNECT：该地址和端口可能指向 Web 服务器或反向代理，而不是代理。请检查代理地址和端口（cat /etc/sf/iprep_proxy.conf），并在代理的日志中查找 { $target }。
diagnosis-proxy-error-internal-error-summary = 代理在处理到 { $target } 的 CONNECT 时发生内部错误：{ $status }（Cisco 技术说明表中的 500：代理的服务器错误）。
diagnosis-proxy-error-internal-error-hint = 故障在代理，而不在本设备的设置：请让代理管理员检查测试时刻代理的错误日志，然后重新测试。
diagnosis-proxy-error-other-summary = 代理以 { $status } 应答到 { $target } 的 CONNECT，未打开隧道。
diagnosis-proxy-error-other-hint = 请在代理的日志和文档中查找此状态，并询问代理管理员为何到 { $target } 的 CONNECT 未打开隧道。
diagnosis-tunnel-idle-summary = 代理已打开隧道，但未在 { $read_timeout } 秒内收到来自 { $target } 的 TLS 应答（{ $detail }）。
diagnosis-tunnel-idle-hint = 隧道空闲说明路径中存在问题：流量检测挂起了连接、代理的空闲或连接超时，或者大小限制丢弃了较大的 TLS 数据包。请检查代理的检测策略、超时和大小限制，并抓包（tcpdump）查看数据在何处中断。
diagnosis-connection-reset-summary = 到 { $target } 的隧道内的连接被重置或关闭（{ $detail }）。
diagnosis-connection-reset-hint = 在大数据包（TLS 握手）之后立即被重置，通常表示路径上存在 MTU 问题，或者检测设备切断了流量。请将管理接口的 MTU 与路径进行比较（ping -M do -s 1472 <proxy>），并检查本设备与代理之间的 IPS/TLS 检测以及代理的日志。
diagnosis-tls-untrusted-summary = 为 { $target } 提供的证书由 { $issuer } 颁发，本设备不信任该颁发者。
diagnosis-tls-untrusted-hint = 执行 TLS 检测的代理会用自己的 CA 重新签署每个站点。如果 { $issuer } 是您代理的 CA，请使用 --ca-file（服务器）或 --cacert（CLI）添加该 CA 证书（PEM）；否则说明路径中有设备在拦截连接。
diagnosis-tls-expired-summary = 为 { $target } 提供的证书已过期或尚未生效（有效期至 { $not_after }）。
diagnosis-tls-expired-hint = 请先检查本设备的时钟（系统 > 配置 > 时间）：错误的时钟会使有效的证书看起来已过期。如果时钟正确，则是服务器或执行检测的代理提供了过时的证书。
diagnosis-tls-name-mismatch-summary = 提供的证书未包含 { $target }（{ $detail }）。
diagnosis-tls-name-mismatch-hint = 路径中有设备使用其他站点的证书作出了应答：配置错误的 TLS 检测代理、强制门户，或错误的目标名称。请检查代理的检测策略和目标。
diagnosis-tls-failed-summary = 通过隧道与 { $target } 的 TLS 握手失败：{ $detail }。
diagnosis-tls-failed-hint = 请检查代理上的 TLS 检测（协议版本、密码套件）；如果指定了 --ca-file/--cacert 文件，也请检查该文件。
diagnosis-connection-reset-hint-mtu = 在大数据包（TLS 握手）之后立即被重置，通常表示路径上存在 MTU 问题，或者检测设备切断了流量。请将管理接口的 MTU 与路径进行比较（ping -M do -s 1472 <proxy>），并检查本设备与代理之间的 IPS/TLS 检测以及代理的日志。本设备通过 { $iface } 访问代理，其 MTU 为 { $mtu }：如果路径上任何链路的 MTU 更小并丢弃或黑洞大数据包，请降低接口 MTU 或修复 PMTU 发现（ICMP“需要分片”消息必须能够通过）。

# 未知事实的替代文字。
diagnosis-no-detail = 无详细信息
diagnosis-no-status = 错误状态
diagnosis-unknown-issuer = 未知颁发者
diagnosis-unknown-date = 未知
diagnosis-offered-none = 无任何方式
diagnosis-offered-separator = {"、"}

# 明文 http:// 目标：无 CONNECT、无隧道、无 TLS；由代理转发请求。
diagnosis-ok-http-summary = 明文 HTTP 可以出站：{ $proxy } 已将请求转发到 { $target }，对方以 { $status } 应答。
diagnosis-proxy-no-response-http-summary = { $proxy } 接受了连接，但未在 { $read_timeout } 秒内对明文 HTTP 请求发送完整的应答（{ $detail }）。
diagnosis-proxy-no-response-http-hint = 请检查该端口是否为代理的 HTTP 监听端口（而不是其他服务），并在代理的日志中查找此请求：代理可能过载或卡在其上游。
diagnosis-malformed-response-http-hint = 该端口可能属于其他服务，或路径上的设备改写了流量。请检查代理端口：它必须是 HTTP 正向代理。
diagnosis-proxy-auth-failed-http-hint = 请与代理管理员核对用户名和密码（密码区分大小写；账户可能被锁定或不允许使用明文 HTTP），然后重新保存。
diagnosis-proxy-denied-http-summary = 代理拒绝了到 { $target } 的明文 HTTP：{ $status }。
diagnosis-proxy-denied-http-hint = 403 来自代理的访问控制列表：请让代理管理员允许从本设备地址到 { $target } 的明文 HTTP（FMC 除 443 外还需要 80 端口），并在代理的访问日志中查看被拒绝的请求。
diagnosis-bad-request-http-summary = 代理不接受该明文 HTTP 请求：{ $status }。
diagnosis-bad-request-http-hint = 该端口上的服务可能不是正向代理（Web 服务器会以 400 应答完整 URL 的请求），或者它拒绝该目标名称。请检查代理地址和端口。
diagnosis-service-unavailable-http-summary = 代理无法处理到 { $target } 的请求：{ $status }。
diagnosis-proxy-error-unauthorized-http-summary = 对 { $target } 的明文 HTTP 请求得到 { $status }：未授权，凭据缺失或不正确（Cisco 技术说明表中的 401），但没有可应答的质询。
diagnosis-proxy-error-not-found-http-summary = 对 { $target } 的明文 HTTP 请求得到 { $status }：找不到资源（Cisco 技术说明表中的 404）。
diagnosis-proxy-error-not-found-http-hint = 代理或 { $target } 上没有该路径：请检查 URL 的路径，以及代理地址和端口（cat /etc/sf/iprep_proxy.conf），它们可能指向 Web 服务器而不是代理。
diagnosis-proxy-error-internal-error-http-summary = 对 { $target } 的明文 HTTP 请求发生内部错误：{ $status }（Cisco 技术说明表中的 500：代理或服务器的服务器错误）。
diagnosis-proxy-error-other-http-summary = 对 { $target } 的明文 HTTP 请求得到 { $status }。
diagnosis-proxy-error-other-http-hint = 请在代理的日志和文档中查找此状态，并询问代理管理员为何不提供到 { $target } 的明文 HTTP。
