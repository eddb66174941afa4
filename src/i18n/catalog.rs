//! Every fixed string of the UI, English beside its Simplified Chinese, following the terms
//! of Cisco's Chinese FMC documentation (代理, 代理身份验证, 已启用, …). Templates get the
//! catalog as `t`. A string is added once, in both languages, or the macro does not compile.

use super::Lang;

macro_rules! catalog {
    ($($field:ident: $en:literal => $zh:literal,)*) => {
        /// The UI's fixed strings in one language; see [`EN`] and [`ZH_CN`].
        pub struct Texts {
            pub lang: Lang,
            /// FMC's configuration pages, in its order (the page list on the left).
            pub config_pages: &'static [&'static str; 29],
            $(pub $field: &'static str,)*
        }

        pub static EN: Texts = Texts {
            lang: Lang::En,
            config_pages: &CONFIG_PAGES_EN,
            $($field: $en,)*
        };

        pub static ZH_CN: Texts = Texts {
            lang: Lang::ZhCn,
            config_pages: &CONFIG_PAGES_ZH_CN,
            $($field: $zh,)*
        };

        impl Texts {
            /// Every string by field name (for the completeness tests).
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                let mut all = vec![$((stringify!($field), self.$field),)*];
                all.extend(self.config_pages.iter().map(|p| ("config_pages", *p)));
                all
            }
        }
    };
}

catalog! {
    // The frame (base.html, user_menu.html).
    product: "Firewall Management Center" => "Firewall Management Center",
    system: "System" => "系统",
    configuration: "Configuration" => "配置",
    monitoring: "Monitoring" => "监控",
    audit: "Audit" => "审核",
    main_menu: "Main menu" => "主菜单",
    menu_overview: "Overview" => "概览",
    menu_analysis: "Analysis" => "分析",
    menu_policies: "Policies" => "策略",
    menu_devices: "Devices" => "设备",
    menu_objects: "Objects" => "对象",
    menu_integration: "Integration" => "集成",
    menu_deploy: "Deploy" => "部署",
    audit_log: "Audit Log" => "审核日志",
    api_tokens: "API Tokens" => "API 令牌",
    signed_in: "Signed in" => "已登录",
    log_out: "Log Out" => "注销",
    language: "Language" => "语言",
    language_auto: "Browser default" => "跟随浏览器",
    language_en: "English" => "English",
    language_zh_cn: "简体中文" => "简体中文",
    apply: "Apply" => "应用",
    back_to_page: "Back to Management Interfaces" => "返回管理接口",

    // The page (management_interfaces.html).
    management_interfaces: "Management Interfaces" => "管理接口",
    configuration_pages: "Configuration pages" => "配置页面",
    interfaces: "Interfaces" => "接口",
    no_interfaces: "No interfaces could be read from /sys/class/net." => "无法从 /sys/class/net 读取任何接口。",
    interface: "Interface" => "接口",
    addresses: "Addresses" => "地址",
    mac_address: "MAC address" => "MAC 地址",
    link: "Link" => "链路",
    interfaces_read_only: "Read from this host (read-only); interfaces are not managed here." => "读取自本主机（只读）；接口不在此处管理。",
    routes: "Routes" => "路由",
    no_default_route: "No IPv4 default route." => "没有 IPv4 默认路由。",
    destination: "Destination" => "目标",
    gateway: "Gateway" => "网关",
    route_default: "default" => "默认",
    shared_settings: "Shared Settings" => "共享设置",
    hostname: "Hostname" => "主机名",
    domains: "Domains" => "域",
    none: "none" => "无",
    dns_server: "DNS Server" => "DNS 服务器",
    not_managed_here: "Not managed here." => "不在此处管理。",
    proxy: "Proxy" => "代理",
    note: "Note:" => "注意：",
    note_ntlm: "Proxies that use NT LAN Manager (NTLM) authentication are not supported." => "不支持使用 NT LAN Manager (NTLM) 身份验证的代理。",
    note_fqdn: "If you are using Smart Licensing, the proxy FQDN cannot have more than 64 characters." => "如果您使用智能许可，代理 FQDN 不能超过 64 个字符。",
    conflict_body: "Nothing was overwritten. Your values are kept in the form; compare them with the current ones, then Save again to replace them, or reload to discard yours." => "未覆盖任何内容。您的值仍保留在表单中；请与当前值比较，然后再次保存以替换当前值，或重新加载以放弃您的值。",
    field: "Field" => "字段",
    yours: "Yours" => "您的值",
    yes: "yes" => "是",
    no: "no" => "否",
    enabled: "Enabled" => "已启用",
    http_proxy: "HTTP Proxy" => "HTTP 代理",
    host_title: "IP address or fully qualified domain name, without scheme or port" => "IP 地址或完全限定域名，不含协议和端口",
    host_hint: "IP address or fully qualified domain name" => "IP 地址或完全限定域名",
    port: "Port" => "端口",
    use_proxy_authentication: "Use Proxy Authentication" => "使用代理身份验证",
    user_name: "User Name" => "用户名",
    user_name_title: "1–64 characters, no ':'" => "1–64 个字符，不能包含“:”",
    password: "Password" => "密码",
    password_title: "1–128 printable ASCII characters, no spaces" => "1–128 个可打印 ASCII 字符，不含空格",
    password_set: "Password set — leave blank to keep." => "已设置密码——留空则保留原密码。",
    no_password: "No password stored." => "未存储密码。",
    confirm_password: "Confirm Password" => "确认密码",
    save: "Save" => "保存",
    test_connection: "Test connection" => "测试连接",
    history: "History" => "历史记录",
    diagnostics: "Diagnostics" => "诊断",
    last_test: "Last Test connection" => "上次测试连接",
    no_test_yet: "No test since the server started." => "服务器启动后尚未进行测试。",
    no_connections: "(no TCP connections to the proxy right now)" => "（当前没有到代理的 TCP 连接）",

    // The live view (fmc.js reads these from data-* attributes).
    testing: "Testing…" => "正在测试…",
    testing_connection: "Testing the connection…" => "正在测试连接…",
    test_could_not_run: "The test could not run (HTTP {status})." => "无法运行测试（HTTP {status}）。",
    test_interrupted: "The test was interrupted: " => "测试被中断：",

    // The probe result (probe_result.html).
    result_heading: "Test connection:" => "测试连接：",
    next_step: "Next step:" => "下一步：",
    stages: "Stages" => "阶段",
    passed: "passed" => "通过",
    failed: "failed" => "失败",
    not_run: "not run" => "未运行",
    stage_resolve: "DNS lookup of the proxy" => "代理的 DNS 解析",
    stage_tcp_connect: "TCP handshake with the proxy" => "与代理的 TCP 握手",
    stage_connect: "CONNECT request" => "CONNECT 请求",
    stage_tls_handshake: "TLS handshake through the tunnel" => "通过隧道的 TLS 握手",
    stage_https_request: "HTTPS request" => "HTTPS 请求",
    stage_close: "close" => "关闭连接",
    connect_answer: "Proxy's answer to CONNECT" => "代理对 CONNECT 的响应",
    certificate: "Certificate" => "证书",
    issuer: "Issuer" => "颁发者",
    valid_until: "Valid until" => "有效期至",
    https_answer: "HTTPS answer:" => "HTTPS 响应：",
    same_test_with_curl: "The same test with curl" => "使用 curl 执行相同的测试",

    // Login (login.html).
    log_in_title: "Log in" => "登录",
    username: "Username" => "用户名",
    log_in: "Log In" => "登录",

    // History (history.html).
    proxy_history: "Proxy History" => "代理历史记录",
    no_revision_yet: "No revision saved yet." => "尚未保存任何修订版本。",
    revision: "Revision" => "修订版本",
    saved_utc: "Saved (UTC)" => "保存时间 (UTC)",
    by: "By" => "操作者",
    changes: "Changes" => "更改",
    on: "on" => "开",
    off: "off" => "关",
    auth: "auth" => "身份验证",
    current: "current" => "当前",
    no_changes: "no changes" => "无更改",
    change_password_set: "password set" => "已设置密码",
    change_password_cleared: "password cleared" => "已清除密码",
    change_password_changed: "password changed" => "已更改密码",
    empty: "(empty)" => "（空）",
    list_separator: "; " => "；",

    // Audit log (audit.html).
    no_events_yet: "No events yet." => "尚无事件。",
    time_utc: "Time (UTC)" => "时间 (UTC)",
    user: "User" => "用户",
    address: "Address" => "地址",
    action: "Action" => "操作",
    detail: "Detail" => "详细信息",
    // The actions, as the log records them (English shows the recorded name).
    action_login: "login" => "登录",
    action_logout: "logout" => "注销",
    action_login_failed: "login_failed" => "登录失败",
    action_login_locked: "login_locked" => "登录已锁定",
    action_save: "save" => "保存",
    action_rollback: "rollback" => "回滚",
    action_probe: "probe" => "测试连接",
    action_api_token_created: "api_token_created" => "创建 API 令牌",
    action_api_token_revoked: "api_token_revoked" => "撤销 API 令牌",
    action_set_password: "set_password" => "设置密码",
    action_unlock: "unlock" => "解除登录锁定",

    // API tokens (api_tokens.html).
    tokens_intro_before: "Scripts use the JSON API (" => "脚本通过 JSON API（",
    openapi_document: "OpenAPI document" => "OpenAPI 文档",
    tokens_intro_after: ") with" => "）访问本服务器，请求中携带",
    tokens_intro_end: "." => "。",
    token_created_before: "Token" => "令牌",
    token_created_after: "created. Copy it now; it is not shown again:" => "已创建。请立即复制；它不会再次显示：",
    new_token: "New token" => "新建令牌",
    name: "Name" => "名称",
    create_token: "Create token" => "创建令牌",
    tokens: "Tokens" => "令牌",
    no_tokens: "No tokens." => "没有令牌。",
    created: "Created" => "创建时间",
    last_used: "Last used" => "上次使用",
    never: "never" => "从未",
    expires: "Expires" => "过期时间",
    expired: "expired" => "已过期",
    days_30: "in 30 days" => "30 天后",
    days_90: "in 90 days" => "90 天后",
    days_365: "in a year" => "一年后",
    never_expires: "never" => "永不过期",
    revoke: "Revoke" => "撤销",

    // Error pages (error.html).
    nothing_saved: "Nothing was saved." => "未保存任何内容。",
}

/// FMC 7.4's configuration pages, in its (English) order.
static CONFIG_PAGES_EN: [&str; 29] = [
    "Access List",
    "Access Control Preferences",
    "Audit Log",
    "Audit Log Certificate",
    "Change Reconciliation",
    "Console Configuration",
    "DNS Cache",
    "Dashboard",
    "Database",
    "Email Notification",
    "External Database Access",
    "HTTPS Certificate",
    "Information",
    "Intrusion Policy Preferences",
    "Language",
    "Login Banner",
    "Management Interfaces",
    "Network Analysis Policy Preferences",
    "Process",
    "REST API Preferences",
    "Remote Storage Device",
    "SNMP",
    "Session Timeout",
    "Time",
    "Time Synchronization",
    "UCAPL/CC Compliance",
    "User Configuration",
    "Vulnerability Mapping",
    "Web Analytics",
];

/// The same pages as FMC's Chinese UI names them, in the same order.
static CONFIG_PAGES_ZH_CN: [&str; 29] = [
    "访问列表",
    "访问控制首选项",
    "审核日志",
    "审核日志证书",
    "变更协调",
    "控制台配置",
    "DNS 缓存",
    "控制面板",
    "数据库",
    "邮件通知",
    "外部数据库访问",
    "HTTPS 证书",
    "信息",
    "入侵策略首选项",
    "语言",
    "登录横幅",
    "管理接口",
    "网络分析策略首选项",
    "进程",
    "REST API 首选项",
    "远程存储设备",
    "SNMP",
    "会话超时",
    "时间",
    "时间同步",
    "UCAPL/CC 合规性",
    "用户配置",
    "漏洞映射",
    "Web 分析",
];

/// Strings with values in them: one `match` per string, so each language is written out.
impl Texts {
    /// A message made in both languages, in this one.
    pub fn pick<'a>(&self, text: &'a super::Text) -> &'a str {
        text.get(self.lang)
    }

    /// An audit action in this language; one this catalog does not know, as recorded.
    pub fn audit_action<'a>(&self, action: &'a str) -> &'a str {
        match action {
            "login" => self.action_login,
            "logout" => self.action_logout,
            "login_failed" => self.action_login_failed,
            "login_locked" => self.action_login_locked,
            "save" => self.action_save,
            "rollback" => self.action_rollback,
            "probe" => self.action_probe,
            "api_token_created" => self.action_api_token_created,
            "api_token_revoked" => self.action_api_token_revoked,
            "set_password" => self.action_set_password,
            "unlock" => self.action_unlock,
            other => other,
        }
    }

    pub fn yes_no(&self, on: bool) -> &'static str {
        if on { self.yes } else { self.no }
    }

    /// The window title: the page, then the product.
    pub fn title(&self, page: &str) -> String {
        format!("{page} — {}", self.product)
    }

    pub fn not_saved_heading(&self, fields: usize) -> String {
        match self.lang {
            Lang::En => format!(
                "Not saved: {fields} {} attention",
                if fields > 1 {
                    "fields need"
                } else {
                    "field needs"
                }
            ),
            Lang::ZhCn => format!("未保存：{fields} 个字段需要更正"),
        }
    }

    pub fn conflict_heading(&self, id: &i64, actor: &str, at: &str) -> String {
        match self.lang {
            Lang::En => {
                format!("Someone else saved revision {id} ({actor}, {at}) while you were editing")
            }
            Lang::ZhCn => format!("在您编辑期间，其他人保存了修订版本 {id}（{actor}，{at}）"),
        }
    }

    pub fn current_revision(&self, id: &i64) -> String {
        match self.lang {
            Lang::En => format!("Current (revision {id})"),
            Lang::ZhCn => format!("当前值（修订版本 {id}）"),
        }
    }

    pub fn last_test_by(&self, at: &str, by: &str) -> String {
        match self.lang {
            Lang::En => format!("{at} by {by}:"),
            Lang::ZhCn => format!("{at}，{by}："),
        }
    }

    pub fn auth_offered(&self, offered: &[String]) -> String {
        match self.lang {
            Lang::En => format!("Authentication offered: {}", offered.join(", ")),
            Lang::ZhCn => format!("代理提供的身份验证方式：{}", offered.join("、")),
        }
    }

    pub fn auth_answered(&self, used: &str, rounds: &u32) -> String {
        match self.lang {
            Lang::En => format!(
                "; answered with {used} ({rounds} round{})",
                if *rounds != 1 { "s" } else { "" }
            ),
            Lang::ZhCn => format!("；已使用 {used} 应答（{rounds} 轮）"),
        }
    }

    pub fn restores(&self, from: &i64) -> String {
        match self.lang {
            Lang::En => format!("(restores {from})"),
            Lang::ZhCn => format!("（恢复 {from}）"),
        }
    }

    pub fn roll_back_to(&self, id: &i64) -> String {
        match self.lang {
            Lang::En => format!("Roll back to {id}"),
            Lang::ZhCn => format!("回滚到 {id}"),
        }
    }

    /// The reason phrase of an error page's status.
    pub fn status_reason(&self, status: &axum::http::StatusCode) -> &'static str {
        let en = status.canonical_reason().unwrap_or("");
        match self.lang {
            Lang::En => en,
            Lang::ZhCn => match status.as_u16() {
                400 => "错误的请求",
                401 => "未授权",
                403 => "禁止访问",
                404 => "未找到",
                405 => "不允许的方法",
                408 => "请求超时",
                409 => "冲突",
                413 => "请求内容过大",
                415 => "不支持的媒体类型",
                422 => "无法处理的内容",
                429 => "请求过多",
                500 => "服务器内部错误",
                503 => "服务不可用",
                _ => en,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings that are the same in both languages on purpose: the product's name (FMC's
    /// Chinese UI keeps it), the languages named in their own language, protocol names.
    const SAME_IN_BOTH: &[&str] = &["product", "language_en", "language_zh_cn"];
    const SAME_PAGES: &[&str] = &["SNMP"];

    fn has_cjk(s: &str) -> bool {
        s.chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || "，。：；（）“”、".contains(c))
    }

    #[test]
    fn every_string_has_a_chinese_translation_that_is_not_the_english() {
        let en = EN.entries();
        let zh = ZH_CN.entries();
        assert_eq!(en.len(), zh.len());
        let mut missing = Vec::new();
        for ((name, en), (_, zh)) in en.iter().zip(&zh) {
            assert!(!en.trim().is_empty(), "{name}: empty English");
            let allowed =
                SAME_IN_BOTH.contains(name) || (*name == "config_pages" && SAME_PAGES.contains(en));
            if zh.trim().is_empty() || (!allowed && (zh == en || !has_cjk(zh))) {
                missing.push(format!("{name}: {en:?} -> {zh:?}"));
            }
        }
        assert!(missing.is_empty(), "untranslated:\n{}", missing.join("\n"));
    }

    #[test]
    fn strings_with_values_are_translated_too() {
        use crate::settings::form::Field;
        let pairs = [
            (EN.not_saved_heading(2), ZH_CN.not_saved_heading(2)),
            (
                EN.conflict_heading(&3, "bob", "now"),
                ZH_CN.conflict_heading(&3, "bob", "now"),
            ),
            (EN.current_revision(&3), ZH_CN.current_revision(&3)),
            (
                EN.last_test_by("now", "bob"),
                ZH_CN.last_test_by("now", "bob"),
            ),
            (
                EN.auth_offered(&["Basic".into()]),
                ZH_CN.auth_offered(&["Basic".into()]),
            ),
            (
                EN.auth_answered("basic", &1),
                ZH_CN.auth_answered("basic", &1),
            ),
            (EN.restores(&2), ZH_CN.restores(&2)),
            (EN.roll_back_to(&2), ZH_CN.roll_back_to(&2)),
            (
                EN.title("x").replace(EN.product, ""),
                ZH_CN.title("页").replace(ZH_CN.product, ""),
            ),
        ];
        for (en, zh) in pairs {
            assert!(zh != en && has_cjk(&zh), "{en:?} -> {zh:?}");
        }
        for action in [
            "login",
            "logout",
            "login_failed",
            "login_locked",
            "save",
            "rollback",
            "probe",
            "api_token_created",
            "api_token_revoked",
            "set_password",
            "unlock",
        ] {
            assert_eq!(EN.audit_action(action), action);
            assert!(has_cjk(ZH_CN.audit_action(action)), "{action}");
        }
        assert_eq!(ZH_CN.audit_action("future_thing"), "future_thing");
        for field in [Field::Host, Field::Port, Field::Username, Field::Password] {
            assert_ne!(EN.field_label(&field), ZH_CN.field_label(&field));
        }
        for status in [400, 403, 404, 413, 415, 422, 429, 500] {
            let status = axum::http::StatusCode::from_u16(status).unwrap();
            assert!(has_cjk(ZH_CN.status_reason(&status)), "{status}");
        }
    }

    #[test]
    fn the_english_plural_reads_as_before() {
        assert_eq!(
            EN.not_saved_heading(1),
            "Not saved: 1 field needs attention"
        );
        assert_eq!(
            EN.not_saved_heading(3),
            "Not saved: 3 fields need attention"
        );
        assert_eq!(
            EN.auth_answered("digest", &1),
            "; answered with digest (1 round)"
        );
    }

    #[test]
    fn the_page_list_names_management_interfaces_in_both_languages() {
        for t in [&EN, &ZH_CN] {
            assert!(t.config_pages.contains(&t.management_interfaces));
        }
    }

    /// The text a template shows that does not come from the catalog: everything outside
    /// `{{ }}`, `{% %}` and `{# #}`, tags and technical blocks (`<code>`, `<pre>`), plus the
    /// attributes people read (`title`, `aria-label`, `placeholder`, `alt`).
    fn literal_words(template: &str) -> Vec<String> {
        let mut text = template.to_owned();
        for (open, close) in [
            ("{#", "#}"),
            ("{%", "%}"),
            ("{{", "}}"),
            ("<code", "</code>"),
            ("<pre", "</pre>"),
        ] {
            while let Some(start) = text.find(open) {
                let end = text[start..]
                    .find(close)
                    .map_or(text.len(), |e| start + e + close.len());
                text.replace_range(start..end, " ");
            }
        }
        let mut shown = String::new();
        let mut rest = text.as_str();
        while let Some(lt) = rest.find('<') {
            shown.push_str(&rest[..lt]);
            let gt = rest[lt..].find('>').map_or(rest.len(), |g| lt + g + 1);
            let tag = &rest[lt..gt];
            for attr in ["title=\"", "aria-label=\"", "placeholder=\"", "alt=\""] {
                if let Some(i) = tag.find(attr) {
                    let value = &tag[i + attr.len()..];
                    shown.push(' ');
                    shown.push_str(value.split('"').next().unwrap_or(""));
                }
            }
            shown.push(' ');
            rest = &rest[gt..];
        }
        shown.push_str(rest);
        shown
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() > 1)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn templates_show_no_english_that_bypasses_the_catalog() {
        // Technical tokens shown as they are in both languages.
        const TOKENS: &[&str] = &["MTU", "ICMPv", "TLS", "ms"];
        let templates = [
            ("base.html", include_str!("../../templates/base.html")),
            (
                "user_menu.html",
                include_str!("../../templates/user_menu.html"),
            ),
            (
                "management_interfaces.html",
                include_str!("../../templates/management_interfaces.html"),
            ),
            (
                "probe_result.html",
                include_str!("../../templates/probe_result.html"),
            ),
            ("login.html", include_str!("../../templates/login.html")),
            ("history.html", include_str!("../../templates/history.html")),
            ("audit.html", include_str!("../../templates/audit.html")),
            (
                "api_tokens.html",
                include_str!("../../templates/api_tokens.html"),
            ),
            ("error.html", include_str!("../../templates/error.html")),
        ];
        let mut found = Vec::new();
        for (name, source) in templates {
            for word in literal_words(source) {
                if !TOKENS.contains(&word.as_str()) && word != "doctype" && word != "html" {
                    found.push(format!("{name}: {word}"));
                }
            }
        }
        assert!(
            found.is_empty(),
            "English outside the catalog:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn the_template_scan_sees_literal_text_and_readable_attributes() {
        let words = literal_words(
            r#"<p title="Hover me">{{ t.x }} Hello <code>curl -x</code>{# note #}</p>"#,
        );
        assert_eq!(words, ["Hover", "me", "Hello"]);
    }
}
