//! Every fixed string of the UI, as a struct with one field per string that templates get
//! as `t`. The words are Fluent messages (`locales/<lang>/page.ftl`, id `page-<field>`),
//! following the terms of Cisco's Chinese FMC documentation; each language's [`Texts`] is
//! said once, on first use.

use std::sync::LazyLock;

use super::{Lang, Text};
use crate::locale;

macro_rules! catalog {
    ($($field:ident: $id:literal,)*) => {
        /// The UI's fixed strings in one language; see [`EN`] and [`ZH_CN`].
        pub struct Texts {
            pub lang: Lang,
            /// FMC's configuration pages, in its order (the page list on the left).
            pub config_pages: &'static [&'static str; 29],
            /// The Cisco note's HTTP status table: status, meaning, cause (the help popover
            /// beside Test connection).
            pub status_table: &'static [(u16, &'static str, &'static str); 8],
            $(pub $field: &'static str,)*
        }

        impl Texts {
            /// Every string said in `lang`.
            fn say(lang: Lang) -> Texts {
                Texts {
                    lang,
                    config_pages: Box::leak(Box::new(CONFIG_PAGES.map(|id| said(lang, id)))),
                    status_table: Box::leak(Box::new(STATUS_TABLE.map(|(status, meaning, cause)| {
                        (status, said(lang, meaning), said(lang, cause))
                    }))),
                    $($field: said(lang, $id),)*
                }
            }

            /// Every string by message id (for the completeness tests).
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                let mut all = vec![$(($id, self.$field),)*];
                all.extend(CONFIG_PAGES.iter().copied().zip(self.config_pages.iter().copied()));
                for ((_, meaning, cause), (_, said_meaning, said_cause)) in
                    STATUS_TABLE.iter().zip(self.status_table.iter())
                {
                    all.push((*meaning, *said_meaning));
                    all.push((*cause, *said_cause));
                }
                all
            }
        }
    };
}

/// The strings in English.
pub static EN: LazyLock<Texts> = LazyLock::new(|| Texts::say(Lang::En));
/// The strings in Simplified Chinese.
pub static ZH_CN: LazyLock<Texts> = LazyLock::new(|| Texts::say(Lang::ZhCn));

/// A fixed string, said once per language for the life of the process: leaking it keeps
/// the fields `&'static str`, so templates and callers use them as before, at a bounded
/// cost (one catalog per language).
fn said(lang: Lang, id: &str) -> &'static str {
    locale::message(lang, id, &[]).leak()
}

catalog! {
    // The frame (base.html, user_menu.html).
    product: "page-product",
    system: "page-system",
    configuration: "page-configuration",
    monitoring: "page-monitoring",
    audit: "page-audit",
    main_menu: "page-main-menu",
    menu_overview: "page-menu-overview",
    menu_analysis: "page-menu-analysis",
    menu_policies: "page-menu-policies",
    menu_devices: "page-menu-devices",
    menu_objects: "page-menu-objects",
    menu_integration: "page-menu-integration",
    menu_deploy: "page-menu-deploy",
    audit_log: "page-audit-log",
    api_tokens: "page-api-tokens",
    signed_in: "page-signed-in",
    log_out: "page-log-out",
    language: "page-language",
    language_auto: "page-language-auto",
    language_en: "page-language-en",
    language_zh_cn: "page-language-zh-cn",
    apply: "page-apply",
    back_to_page: "page-back-to-page",
    // The page (management_interfaces.html).
    management_interfaces: "page-management-interfaces",
    configuration_pages: "page-configuration-pages",
    interfaces: "page-interfaces",
    no_interfaces: "page-no-interfaces",
    interface: "page-interface",
    channels: "page-channels",
    management_traffic: "page-management-traffic",
    event_traffic: "page-event-traffic",
    mac_address: "page-mac-address",
    ip_address: "page-ip-address",
    interfaces_read_only: "page-interfaces-read-only",
    routes: "page-routes",
    ipv4_routes: "page-ipv4-routes",
    ipv6_routes: "page-ipv6-routes",
    destination: "page-destination",
    netmask: "page-netmask",
    prefix_length: "page-prefix-length",
    gateway: "page-gateway",
    no_ipv4_routes: "page-no-ipv4-routes",
    no_ipv6_routes: "page-no-ipv6-routes",
    routes_read_only: "page-routes-read-only",
    shared_settings: "page-shared-settings",
    hostname: "page-hostname",
    domains: "page-domains",
    primary_dns_server: "page-primary-dns-server",
    secondary_dns_server: "page-secondary-dns-server",
    tertiary_dns_server: "page-tertiary-dns-server",
    remote_management_port: "page-remote-management-port",
    shared_read_only: "page-shared-read-only",
    icmpv6_echo_reply: "page-icmpv6-echo-reply",
    icmpv6_unreachable: "page-icmpv6-unreachable",
    icmpv6_off: "page-icmpv6-off",
    cancel: "page-cancel",
    search: "page-search",
    search_pages: "page-search-pages",
    search_show_all: "page-search-show-all",
    help: "page-help",
    api_document: "page-api-document",
    user_menu: "page-user-menu",
    proxy: "page-proxy",
    note: "page-note",
    note_ntlm: "page-note-ntlm",
    note_fqdn: "page-note-fqdn",
    conflict_body: "page-conflict-body",
    field: "page-field",
    yours: "page-yours",
    yes: "page-yes",
    no: "page-no",
    enabled: "page-enabled",
    http_proxy: "page-http-proxy",
    host_title: "page-host-title",
    host_hint: "page-host-hint",
    port: "page-port",
    use_proxy_authentication: "page-use-proxy-authentication",
    user_name: "page-user-name",
    test_targets: "targets-label",
    targets_hint: "targets-hint",
    trusted_ca: "ca-label",
    trusted_ca_hint: "ca-hint",
    ca_file_pick: "ca-file-pick",
    ca_valid_until: "ca-valid-until",
    ca_expired: "ca-expired",
    ca_remove: "ca-remove",
    ca_placeholder: "ca-placeholder",
    user_name_title: "page-user-name-title",
    password: "page-password",
    password_title: "page-password-title",
    password_set: "page-password-set",
    test_before_saving: "page-test-before-saving",
    test_before_saving_hint: "page-test-before-saving-hint",
    save_anyway: "page-save-anyway",
    save_anyway_intro: "page-save-anyway-intro",
    save_anyway_retype: "page-save-anyway-retype",
    no_password: "page-no-password",
    confirm_password: "page-confirm-password",
    save: "page-save",
    test_connection: "page-test-connection",
    status_help: "page-status-help",
    status_help_intro: "page-status-help-intro",
    status_code: "page-status-code",
    status_meaning: "page-status-meaning",
    status_cause: "page-status-cause",
    history: "page-history",
    diagnostics: "page-diagnostics",
    last_test: "page-last-test",
    no_test_yet: "page-no-test-yet",
    no_connections: "page-no-connections",
    recent_tests: "page-recent-tests",
    no_recent_tests: "page-no-recent-tests",
    recent_when: "page-recent-when",
    recent_who: "page-recent-who",
    recent_proxy: "page-recent-proxy",
    recent_verdict: "page-recent-verdict",
    recent_summary: "page-recent-summary",
    verdict_ok: "page-verdict-ok",
    verdict_failed: "page-verdict-failed",
    // The live view (fmc.js reads these from data-* attributes).
    testing: "page-testing",
    testing_connection: "page-testing-connection",
    test_could_not_run: "page-test-could-not-run",
    test_interrupted: "page-test-interrupted",
    // The probe result (probe_result.html).
    result_heading: "page-result-heading",
    next_step: "page-next-step",
    stages: "page-stages",
    passed: "page-passed",
    failed: "page-failed",
    not_run: "page-not-run",
    stage_resolve: "page-stage-resolve",
    stage_tcp_connect: "page-stage-tcp-connect",
    stage_connect: "page-stage-connect",
    stage_connect_plain: "page-stage-connect-plain",
    stage_tls_handshake: "page-stage-tls-handshake",
    stage_https_request: "page-stage-https-request",
    stage_large_request: "page-stage-large-request",
    stage_download: "page-stage-download",
    stage_close: "page-stage-close",
    connect_answer: "page-connect-answer",
    certificate: "page-certificate",
    issuer: "page-issuer",
    valid_until: "page-valid-until",
    https_answer: "page-https-answer",
    same_test_with_curl: "page-same-test-with-curl",
    support_bundle: "page-support-bundle",
    // Login (login.html).
    log_in_title: "page-log-in-title",
    username: "page-username",
    log_in: "page-log-in",
    // History (history.html).
    proxy_history: "page-proxy-history",
    no_revision_yet: "page-no-revision-yet",
    revision: "page-revision",
    saved_utc: "page-saved-utc",
    by: "page-by",
    changes: "page-changes",
    on: "page-on",
    off: "page-off",
    auth: "page-auth",
    current: "page-current",
    no_changes: "page-no-changes",
    change_password_set: "page-change-password-set",
    change_password_cleared: "page-change-password-cleared",
    change_password_changed: "page-change-password-changed",
    change_ca_added: "ca-change-added",
    change_ca_removed: "ca-change-removed",
    empty: "page-empty",
    list_separator: "page-list-separator",
    // Audit log (audit.html).
    no_events_yet: "page-no-events-yet",
    time_utc: "page-time-utc",
    user: "page-user",
    address: "page-address",
    action: "page-action",
    detail: "page-detail",
    // The actions, as the log records them (English shows the recorded name).
    action_login: "page-action-login",
    action_logout: "page-action-logout",
    action_login_failed: "page-action-login-failed",
    action_login_locked: "page-action-login-locked",
    action_save: "page-action-save",
    action_rollback: "page-action-rollback",
    action_probe: "page-action-probe",
    action_api_token_created: "page-action-api-token-created",
    action_api_token_revoked: "page-action-api-token-revoked",
    action_set_password: "page-action-set-password",
    action_unlock: "page-action-unlock",
    action_support_bundle: "page-action-support-bundle",
    // API tokens (api_tokens.html).
    tokens_intro_before: "page-tokens-intro-before",
    openapi_document: "page-openapi-document",
    tokens_intro_after: "page-tokens-intro-after",
    tokens_intro_end: "page-tokens-intro-end",
    token_created_before: "page-token-created-before",
    token_created_after: "page-token-created-after",
    new_token: "page-new-token",
    name: "page-name",
    create_token: "page-create-token",
    tokens: "page-tokens",
    no_tokens: "page-no-tokens",
    created: "page-created",
    last_used: "page-last-used",
    never: "page-never",
    expires: "page-expires",
    expired: "page-expired",
    days_30: "page-days-30",
    days_90: "page-days-90",
    days_365: "page-days-365",
    never_expires: "page-never-expires",
    revoke: "page-revoke",
    // Error pages (error.html).
    nothing_saved: "page-nothing-saved",
}

/// FMC 7.4's configuration pages, in its (English) order.
const CONFIG_PAGES: [&str; 29] = [
    "page-config-access-list",
    "page-config-access-control-preferences",
    "page-config-audit-log",
    "page-config-audit-log-certificate",
    "page-config-change-reconciliation",
    "page-config-console-configuration",
    "page-config-dns-cache",
    "page-config-dashboard",
    "page-config-database",
    "page-config-email-notification",
    "page-config-external-database-access",
    "page-config-https-certificate",
    "page-config-information",
    "page-config-intrusion-policy-preferences",
    "page-config-language",
    "page-config-login-banner",
    "page-config-management-interfaces",
    "page-config-network-analysis-policy-preferences",
    "page-config-process",
    "page-config-rest-api-preferences",
    "page-config-remote-storage-device",
    "page-config-snmp",
    "page-config-session-timeout",
    "page-config-time",
    "page-config-time-synchronization",
    "page-config-ucapl-cc-compliance",
    "page-config-user-configuration",
    "page-config-vulnerability-mapping",
    "page-config-web-analytics",
];

/// The Cisco note's HTTP status table, in its order: each status with the message ids of
/// its meaning and its cause.
const STATUS_TABLE: [(u16, &str, &str); 8] = [
    (400, "page-note-status-400", "page-note-status-400-cause"),
    (401, "page-note-status-401", "page-note-status-401-cause"),
    (403, "page-note-status-403", "page-note-status-403-cause"),
    (404, "page-note-status-404", "page-note-status-404-cause"),
    (500, "page-note-status-500", "page-note-status-500-cause"),
    (502, "page-note-status-502", "page-note-status-502-cause"),
    (503, "page-note-status-503", "page-note-status-503-cause"),
    (504, "page-note-status-504", "page-note-status-504-cause"),
];

/// The statuses whose reason phrase the locale files say (`page-status-<code>`): those the
/// server answers with an error page. Any other is shown in HTTP's English words.
const STATUS_REASONS: &[u16] = &[
    400, 401, 403, 404, 405, 408, 409, 413, 415, 422, 429, 500, 503,
];

/// Strings with values in them, each one message.
impl Texts {
    /// A message made in both languages, in this one.
    pub fn pick<'a>(&self, text: &'a Text) -> &'a str {
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
            "support_bundle" => self.action_support_bundle,
            other => other,
        }
    }

    pub fn yes_no(&self, on: bool) -> &'static str {
        if on { self.yes } else { self.no }
    }

    fn say_with(&self, id: &str, args: &[(&str, String)]) -> String {
        locale::message(self.lang, id, args)
    }

    /// The window title: the page, then the product.
    pub fn title(&self, page: &str) -> String {
        self.say_with("page-window-title", &[("page", page.to_owned())])
    }

    pub fn not_saved_heading(&self, fields: usize) -> String {
        let fields = u64::try_from(fields).unwrap_or(u64::MAX);
        locale::counted(self.lang, "page-not-saved-heading", &[], ("fields", fields))
    }

    pub fn conflict_heading(&self, id: &i64, actor: &str, at: &str) -> String {
        self.say_with(
            "page-conflict-heading",
            &[
                ("revision", id.to_string()),
                ("actor", actor.to_owned()),
                ("at", at.to_owned()),
            ],
        )
    }

    pub fn current_revision(&self, id: &i64) -> String {
        self.say_with("page-current-revision", &[("revision", id.to_string())])
    }

    pub fn last_test_by(&self, at: &str, by: &str) -> String {
        self.say_with(
            "page-last-test-by",
            &[("at", at.to_owned()), ("by", by.to_owned())],
        )
    }

    pub fn auth_offered(&self, offered: &[String]) -> String {
        let separator = locale::message(self.lang, "diagnosis-offered-separator", &[]);
        self.say_with(
            "page-auth-offered",
            &[("offered", offered.join(&separator))],
        )
    }

    pub fn auth_answered(&self, used: &str, rounds: &u32) -> String {
        locale::counted(
            self.lang,
            "page-auth-answered",
            &[("used", used.to_owned())],
            ("rounds", u64::from(*rounds)),
        )
    }

    pub fn restores(&self, from: &i64) -> String {
        self.say_with("page-restores", &[("revision", from.to_string())])
    }

    pub fn roll_back_to(&self, id: &i64) -> String {
        self.say_with("page-roll-back-to", &[("revision", id.to_string())])
    }

    /// The reason phrase of an error page's status; a status the locale files do not name,
    /// in HTTP's English words.
    pub fn status_reason(&self, status: &axum::http::StatusCode) -> String {
        let code = status.as_u16();
        if STATUS_REASONS.contains(&code) {
            self.say_with(&format!("page-status-{code}"), &[])
        } else {
            status.canonical_reason().unwrap_or("").to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings that are the same in both languages on purpose: the product's name (FMC's
    /// Chinese UI keeps it), the languages named in their own language, protocol names.
    const SAME_IN_BOTH: &[&str] = &[
        "page-product",
        "page-language-en",
        "page-language-zh-cn",
        "page-config-snmp",
        "ca-placeholder",
    ];

    fn has_cjk(s: &str) -> bool {
        s.chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || "，。：；（）“”、".contains(c))
    }

    #[test]
    fn every_string_is_said_in_both_languages_and_chinese_is_not_the_english() {
        let en = EN.entries();
        let zh = ZH_CN.entries();
        assert_eq!(en.len(), zh.len());
        let mut missing = Vec::new();
        for ((id, en), (_, zh)) in en.iter().zip(&zh) {
            // A message missing from a file is said as its id: never a label.
            for said in [en, zh] {
                if said.trim().is_empty() || said == id {
                    missing.push(format!("{id}: {said:?}"));
                }
            }
            if !SAME_IN_BOTH.contains(id) && (zh == en || !has_cjk(zh)) {
                missing.push(format!("{id}: {en:?} -> {zh:?}"));
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
        ];
        for (en, zh) in pairs {
            assert!(zh != en && has_cjk(&zh), "{en:?} -> {zh:?}");
        }
        for t in [&EN, &ZH_CN] {
            assert_eq!(t.title("X"), format!("X — {}", t.product));
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
    }

    #[test]
    fn status_reasons_are_http_s_words_in_english_and_said_in_chinese() {
        for code in STATUS_REASONS {
            let status = axum::http::StatusCode::from_u16(*code).unwrap();
            assert_eq!(
                EN.status_reason(&status),
                status.canonical_reason().unwrap(),
                "page-status-{code} is HTTP's reason phrase"
            );
            assert!(has_cjk(&ZH_CN.status_reason(&status)), "{status}");
        }
        let teapot = axum::http::StatusCode::IM_A_TEAPOT;
        assert_eq!(ZH_CN.status_reason(&teapot), "I'm a teapot");
    }

    #[test]
    fn the_english_reads_as_before() {
        assert_eq!(EN.log_out, "Log Out");
        assert_eq!(
            EN.test_could_not_run,
            "The test could not run (HTTP {status})."
        );
        assert_eq!(EN.test_interrupted, "The test was interrupted: ");
        assert_eq!(EN.list_separator, "; ");
        assert_eq!(EN.tokens_intro_end, ".");
        assert_eq!(
            EN.conflict_heading(&3, "bob", "now"),
            "Someone else saved revision 3 (bob, now) while you were editing"
        );
        assert_eq!(EN.current_revision(&3), "Current (revision 3)");
        assert_eq!(EN.last_test_by("now", "bob"), "now by bob:");
        assert_eq!(
            EN.auth_offered(&["Basic".into(), "Digest".into()]),
            "Authentication offered: Basic, Digest"
        );
        assert_eq!(EN.restores(&2), "(restores 2)");
        assert_eq!(EN.roll_back_to(&2), "Roll back to 2");
        assert_eq!(
            EN.title("Audit Log"),
            "Audit Log — Firewall Management Center"
        );
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
        assert_eq!(
            EN.auth_answered("digest", &2),
            "; answered with digest (2 rounds)"
        );
        assert_eq!(
            EN.auth_answered("digest", &0),
            "; answered with digest (0 rounds)"
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
