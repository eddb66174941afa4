# 页面的固定文字（src/i18n/catalog.rs 中的 Texts）；每个标签一条消息，标识为 page-<字段>。
# 术语遵循 Cisco FMC 中文文档。


## The frame (base.html, user_menu.html).
page-product = Firewall Management Center
page-system = 系统
page-configuration = 配置
page-monitoring = 监控
page-audit = 审核
page-main-menu = 主菜单
page-menu-overview = 概览
page-menu-analysis = 分析
page-menu-policies = 策略
page-menu-devices = 设备
page-menu-objects = 对象
page-menu-integration = 集成
page-menu-deploy = 部署
page-audit-log = 审核日志
page-api-tokens = API 令牌
page-signed-in = 已登录
page-log-out = 注销
page-language = 语言
page-language-auto = 跟随浏览器
page-language-en = English
page-language-zh-cn = 简体中文
page-apply = 应用
page-back-to-page = 返回管理接口

## The page (management_interfaces.html).
page-management-interfaces = 管理接口
page-configuration-pages = 配置页面
page-interfaces = 接口
page-no-interfaces = 在 /sys/class/net 中未找到管理接口（物理网络接口）。
page-interface = 接口
page-channels = 通道
page-management-traffic = 管理流量
page-event-traffic = 事件流量
page-mac-address = MAC 地址
page-ip-address = IP 地址
page-interfaces-read-only = 读取自本主机（只读）：来自 /sys/class/net 的物理接口（无论启用与否），地址来自 /proc/net。接口不在此处管理。
page-routes = 路由
page-ipv4-routes = IPv4 路由
page-ipv6-routes = IPv6 路由
page-destination = 目标
page-netmask = 网络掩码
page-prefix-length = 前缀长度
page-gateway = 网关
page-no-ipv4-routes = 本主机未设置 IPv4 路由。
page-no-ipv6-routes = 本主机未设置 IPv6 路由。
page-routes-read-only = 读取自 /proc/net/route 和 /proc/net/ipv6_route（只读）。不列出内核自行生成的路由（各地址所在子网、本地、链路本地和组播路由）。
page-shared-settings = 共享设置
page-hostname = 主机名
page-domains = 域
page-primary-dns-server = 主 DNS 服务器
page-secondary-dns-server = 辅助 DNS 服务器
page-tertiary-dns-server = 第三 DNS 服务器
page-remote-management-port = 远程管理端口
page-shared-read-only = 读取自 /proc/sys/kernel/hostname 和 /etc/resolv.conf（只读）。
page-icmpv6-echo-reply = 启用回应应答数据包
page-icmpv6-unreachable = 启用目标不可达数据包
page-icmpv6-off = 本主机已关闭 IPv6（没有 /proc/sys/net/ipv6）：不发送任何 ICMPv6。
page-cancel = 取消
page-search = 搜索
page-search-pages = 搜索配置页面
page-search-show-all = 显示所有页面
page-help = 帮助
page-api-document = API 文档 (OpenAPI)
page-user-menu = 用户菜单
page-proxy = 代理
page-note = 注意：
page-note-ntlm = 不支持使用 NT LAN Manager (NTLM) 身份验证的代理。
page-note-fqdn = 如果您使用智能许可，代理 FQDN 不能超过 64 个字符。
page-conflict-body = 未覆盖任何内容。您的值仍保留在表单中；请与当前值比较，然后再次保存以替换当前值，或重新加载以放弃您的值。
page-field = 字段
page-yours = 您的值
page-yes = 是
page-no = 否
page-enabled = 已启用
page-http-proxy = HTTP 代理
page-host-title = IP 地址或完全限定域名，不含协议和端口
page-host-hint = IP 地址或完全限定域名
page-port = 端口
page-use-proxy-authentication = 使用代理身份验证
page-user-name = 用户名
page-user-name-title = 1–64 个字符，不能包含“:”
page-password = 密码
page-password-title = 1–128 个可打印 ASCII 字符，不含空格
page-password-set = 已设置密码——留空则保留原密码。
page-no-password = 未存储密码。
page-confirm-password = 确认密码
page-save = 保存
page-test-connection = 测试连接
# 保存前测试（SPEC §6）：保存旁的复选框，测试未通过时的“仍然保存”。
page-test-before-saving = 保存前测试
page-test-before-saving-hint = 保存时先测试新值；测试未通过则不保存，除非您选择“仍然保存”。
page-save-anyway = 仍然保存
page-save-anyway-intro = 测试未通过，因此未保存任何内容。“仍然保存”将照样保存这些值。
page-save-anyway-retype = 您输入了新密码。密码从不回传给浏览器：请再次输入以仍然保存。
# The help popover beside Test connection: the Cisco note's status table.
page-status-help = HTTP 状态码
page-status-help-intro = 代理对测试连接的应答的含义，摘自 Cisco 代理故障排除技术说明：
page-status-code = HTTP代码
page-status-meaning = 含义
page-status-cause = 原因
page-note-status-400 = 错误的请求
page-note-status-400-cause = 请求语法不正确
page-note-status-401 = 未授权
page-note-status-401-cause = 凭据缺失或不正确
page-note-status-403 = 已禁止
page-note-status-403-cause = 拒绝进入
page-note-status-404 = 找不到
page-note-status-404-cause = 找不到资源
page-note-status-500 = 内部错误
page-note-status-500-cause = 服务器错误
page-note-status-502 = 错误的网关
page-note-status-502-cause = 服务器通信错误
page-note-status-503 = 服务不可用
page-note-status-503-cause = 服务器过载或维护
page-note-status-504 = 网关超时
page-note-status-504-cause = 服务器之间的超时
page-history = 历史记录
page-diagnostics = 诊断
page-last-test = 上次测试连接
page-no-test-yet = 服务器启动后尚未进行测试。
page-no-connections = （当前没有到代理的 TCP 连接）
page-recent-tests = 最近的测试
page-no-recent-tests = 尚无已保存的测试。
page-recent-when = 时间
page-recent-who = 执行者
page-recent-proxy = 代理
page-recent-verdict = 结果
page-recent-summary = 摘要
page-verdict-ok = 成功
page-verdict-failed = 失败

## The live view (fmc.js reads these from data-* attributes).
page-testing = 正在测试…
page-testing-connection = 正在测试连接…
page-test-could-not-run = 无法运行测试（HTTP {"{"}status{"}"}）。
page-test-interrupted = 测试被中断：

## The probe result (probe_result.html).
page-result-heading = 测试连接：
page-next-step = 下一步：
page-stages = 阶段
page-passed = 通过
page-failed = 失败
page-not-run = 未运行
page-stage-resolve = 代理的 DNS 解析
page-stage-tcp-connect = 与代理的 TCP 握手
page-stage-connect = CONNECT 请求
page-stage-connect-plain = 经代理发送请求（明文 HTTP）
page-stage-tls-handshake = 通过隧道的 TLS 握手
page-stage-https-request = HTTPS 请求
page-stage-large-request = 大数据包请求
page-stage-close = 关闭连接
page-connect-answer = 代理对 CONNECT 的响应
page-certificate = 证书
page-issuer = 颁发者
page-valid-until = 有效期至
page-https-answer = HTTPS 响应：
page-same-test-with-curl = 使用 curl 执行相同的测试

## Login (login.html).
page-log-in-title = 登录
page-username = 用户名
page-log-in = 登录

## History (history.html).
page-proxy-history = 代理历史记录
page-no-revision-yet = 尚未保存任何修订版本。
page-revision = 修订版本
page-saved-utc = 保存时间 (UTC)
page-by = 操作者
page-changes = 更改
page-on = 开
page-off = 关
page-auth = 身份验证
page-current = 当前
page-no-changes = 无更改
page-change-password-set = 已设置密码
page-change-password-cleared = 已清除密码
page-change-password-changed = 已更改密码
page-empty = （空）
page-list-separator = ；

## Audit log (audit.html).
page-no-events-yet = 尚无事件。
page-time-utc = 时间 (UTC)
page-user = 用户
page-address = 地址
page-action = 操作
page-detail = 详细信息

## The actions, as the log records them (English shows the recorded name).
page-action-login = 登录
page-action-logout = 注销
page-action-login-failed = 登录失败
page-action-login-locked = 登录已锁定
page-action-save = 保存
page-action-rollback = 回滚
page-action-probe = 测试连接
page-action-api-token-created = 创建 API 令牌
page-action-api-token-revoked = 撤销 API 令牌
page-action-set-password = 设置密码
page-action-unlock = 解除登录锁定

## API tokens (api_tokens.html).
page-tokens-intro-before = 脚本通过 JSON API（
page-openapi-document = OpenAPI 文档
page-tokens-intro-after = ）访问本服务器，请求中携带
page-tokens-intro-end = 。
page-token-created-before = 令牌
page-token-created-after = 已创建。请立即复制；它不会再次显示：
page-new-token = 新建令牌
page-name = 名称
page-create-token = 创建令牌
page-tokens = 令牌
page-no-tokens = 没有令牌。
page-created = 创建时间
page-last-used = 上次使用
page-never = 从未
page-expires = 过期时间
page-expired = 已过期
page-days-30 = 30 天后
page-days-90 = 90 天后
page-days-365 = 一年后
page-never-expires = 永不过期
page-revoke = 撤销

## Error pages (error.html).
page-nothing-saved = 未保存任何内容。

## FMC 7.4's configuration pages (the page list on the left), in FMC's English order.
page-config-access-list = 访问列表
page-config-access-control-preferences = 访问控制首选项
page-config-audit-log = 审核日志
page-config-audit-log-certificate = 审核日志证书
page-config-change-reconciliation = 变更协调
page-config-console-configuration = 控制台配置
page-config-dns-cache = DNS 缓存
page-config-dashboard = 控制面板
page-config-database = 数据库
page-config-email-notification = 邮件通知
page-config-external-database-access = 外部数据库访问
page-config-https-certificate = HTTPS 证书
page-config-information = 信息
page-config-intrusion-policy-preferences = 入侵策略首选项
page-config-language = 语言
page-config-login-banner = 登录横幅
page-config-management-interfaces = 管理接口
page-config-network-analysis-policy-preferences = 网络分析策略首选项
page-config-process = 进程
page-config-rest-api-preferences = REST API 首选项
page-config-remote-storage-device = 远程存储设备
page-config-snmp = SNMP
page-config-session-timeout = 会话超时
page-config-time = 时间
page-config-time-synchronization = 时间同步
page-config-ucapl-cc-compliance = UCAPL/CC 合规性
page-config-user-configuration = 用户配置
page-config-vulnerability-mapping = 漏洞映射
page-config-web-analytics = Web 分析

## Words with values in them.
# The window title: the page, then the product.
page-window-title = { $page } — { page-product }
page-not-saved-heading = 未保存：{ $fields } 个字段需要更正
page-conflict-heading = 在您编辑期间，其他人保存了修订版本 { $revision }（{ $actor }，{ $at }）
page-current-revision = 当前值（修订版本 { $revision }）
page-last-test-by = { $at }，{ $by }：
page-auth-offered = 代理提供的身份验证方式：{ $offered }
page-auth-answered = ；已使用 { $used } 应答（{ $rounds } 轮）
page-icmpv6-echo-source = 来自 net.ipv6.icmp.echo_ignore_all = { $value }（0：本主机应答 ping）。
page-icmpv6-unreachable-source = Linux 始终发送此类数据包，没有设置可以关闭。net.ipv6.icmp.ratelimit = { $ratelimit } 毫秒，限制 net.ipv6.icmp.ratemask = { $ratemask } 中的 ICMPv6 类型的发送间隔（目标不可达为类型 1）。
page-restores = （恢复 { $revision }）
page-roll-back-to = 回滚到 { $revision }

## The reason phrase of an error page's status (RFC 9110's words in English).
page-status-400 = 错误的请求
page-status-401 = 未授权
page-status-403 = 禁止访问
page-status-404 = 未找到
page-status-405 = 不允许的方法
page-status-408 = 请求超时
page-status-409 = 冲突
page-status-413 = 请求内容过大
page-status-415 = 不支持的媒体类型
page-status-422 = 无法处理的内容
page-status-429 = 请求过多
page-status-500 = 服务器内部错误
page-status-503 = 服务不可用
