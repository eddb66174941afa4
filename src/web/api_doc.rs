//! The JSON API's OpenAPI document: generated from the handlers' annotations, then completed
//! with what annotations cannot say — SPEC §4's field rules as limits and patterns that accept
//! exactly what the server accepts, the rules that join fields, the authentication schemes,
//! and the answers every route shares.

use serde_json::{Value, json};

use crate::auth::sessions::COOKIE;
use crate::settings::fields::{HOST_MAX, PASSWORD_MAX, USERNAME_MAX};

/// One IPv4 octet as Rust's `Ipv4Addr` parser reads it: 0–255 without a leading zero.
const OCTET: &str = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
/// One IPv6 group.
const HEX: &str = "[0-9A-Fa-f]{1,4}";
/// One DNS label: 1–63 letters, digits and hyphens, no hyphen at either end.
const LABEL: &str = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";

/// A dotted IPv4 address.
pub fn ipv4_pattern() -> String {
    format!(r"{OCTET}(?:\.{OCTET}){{3}}")
}

/// `n` IPv6 groups joined by `:`.
fn groups(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => HEX.to_owned(),
        n => format!("{HEX}(?::{HEX}){{{}}}", n - 1),
    }
}

/// Every text form Rust's `Ipv6Addr` parser accepts: eight groups; `::` standing for one or
/// more zero groups after `head` groups; a dotted IPv4 address as the last two groups (it
/// cannot come before the `::`).
pub fn ipv6_pattern() -> String {
    let v4 = ipv4_pattern();
    let mut forms = vec![groups(8), format!("(?:{HEX}:){{6}}{v4}")];
    for head in 0..=7 {
        // With `::` worth at least one group, at most 7 - head groups follow it.
        let tail = match 7 - head {
            0 => String::new(),
            n => format!("(?:{HEX}(?::{HEX}){{0,{}}})?", n - 1),
        };
        forms.push(format!("{}::{tail}", groups(head)));
    }
    for head in 0..=5 {
        forms.push(format!(
            "{}::(?:{HEX}:){{0,{}}}{v4}",
            groups(head),
            5 - head
        ));
    }
    format!("(?:{})", forms.join("|"))
}

/// What `ProxyHost::parse` accepts, or blank: IPv4, IPv6 (bare or in brackets) or a DNS
/// name that is not all digits and dots (such a name is read as an IPv4 address).
pub fn host_pattern() -> String {
    let v6 = ipv6_pattern();
    let dns = format!(r"(?![0-9.]+$){LABEL}(?:\.{LABEL})*");
    format!(r"^(?:{}|{v6}|\[{v6}\]|{dns})?$", ipv4_pattern())
}

/// Unicode White_Space, as Rust's `char::is_whitespace` (and so `trim`, `split_whitespace`).
const WS: &str = r"[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// A port as `Port::parse` reads it: digits, 1–65535 (leading zeros allowed).
const PORT: &str =
    r"0*(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";

/// One entry of `targets` as `settings::targets` reads it: blank, or `URL` or
/// `URL download` (any case) with spaces around; the URL `http(s)://` (any case) or a bare
/// `host[:port]…` (no `@`, no `://`); the host IPv4, `[IPv6]`, or a DNS name of at most 253
/// characters, not all digits and dots, perhaps with the root's dot; the path, query and
/// fragment without spaces, and before the fragment printable ASCII only.
pub fn target_line_pattern() -> String {
    let v4 = ipv4_pattern();
    let v6 = ipv6_pattern();
    // What ends the host: its port, path, query or fragment, a space, or the line's end.
    let end = format!(r"(?:[:/?#]|{WS}|$)");
    let dns = format!(
        r"(?![0-9.]*{end})(?![A-Za-z0-9.-]{{253}}[A-Za-z0-9.-]*[A-Za-z0-9-]){LABEL}(?:\.{LABEL})*\.?"
    );
    let authority = format!(r"(?:{v4}(?={end})|\[{v6}\]|{dns})(?::{PORT})?");
    let tail = format!(r"(?:[/?][!-~]*)?(?:#(?:(?!{WS}).)*)?");
    let scheme = "[hH][tT][tT][pP][sS]?://";
    // No `@` (credentials) and no `://` (a scheme) in the URL: it is a bare host.
    let bare = format!(r"(?!(?:(?!{WS}).)*(?:@|://))");
    let download = "[dD][oO][wW][nN][lL][oO][aA][dD]";
    format!(r"^{WS}*(?:(?:{scheme}|{bare}){authority}{tail}(?:{WS}+{download})?{WS}*)?$")
}

/// No `:` and no control characters (Unicode Cc, as `char::is_control`).
pub const USERNAME_PATTERN: &str = r"^[^:\u0000-\u001F\u007F-\u009F]*$";
/// Printable ASCII, 0x21–0x7E.
pub const PASSWORD_PATTERN: &str = r"^[!-~]*$";

/// `blank`: null and "" are allowed (a proxy that is off keeps no host); a test needs one.
fn host(blank: bool) -> Value {
    json!({
        "type": kind("string", blank),
        "minLength": if blank { 0 } else { 1 },
        "maxLength": HOST_MAX,
        "pattern": host_pattern(),
        "description": "IPv4, IPv6 (brackets accepted and stripped) or a DNS name; no scheme, port or path. Blank or null when the proxy is off and no host is kept.",
        "examples": ["10.10.10.1"],
    })
}

fn port(nullable: bool) -> Value {
    json!({
        "type": kind("integer", nullable),
        "minimum": 1,
        "maximum": 65535,
        "examples": [3128],
    })
}

fn username(nullable: bool) -> Value {
    json!({
        "type": kind("string", nullable),
        "maxLength": USERNAME_MAX,
        "pattern": USERNAME_PATTERN,
        "description": "Required when use_auth is on; no `:` (it cannot travel in Basic credentials), no control characters.",
    })
}

fn password(description: &str) -> Value {
    json!({
        "type": ["string", "null"],
        "maxLength": PASSWORD_MAX,
        "pattern": PASSWORD_PATTERN,
        "writeOnly": true,
        "description": description,
    })
}

fn kind(name: &str, nullable: bool) -> Value {
    if nullable {
        json!([name, "null"])
    } else {
        json!(name)
    }
}

/// A value the API shows but never reads: accepted with its type and ignored, so GET's
/// answer can be sent back with PUT.
fn ignored(kind: &str, what: &str) -> Value {
    json!({"type": [kind, "null"], "description": format!("{what} Ignored in a PUT (read-only).")})
}

const BLANK_PASSWORD: &str =
    "Absent, null or blank keeps the stored password. 1–128 printable ASCII characters.";
const TEST_PASSWORD: &str = "Absent, null or blank means the stored password, which is sent only to the host, port and user name it was saved with (otherwise 422 with `fields.password`).";

/// `enabled` on: host and port are required; with `use_auth` on, a user name too.
fn required_when_enabled() -> Value {
    let filled = json!({"type": "string", "minLength": 1});
    json!([
        {"properties": {"enabled": {"const": false}}},
        {
            "properties": {"enabled": {"const": true}, "use_auth": {"const": false},
                           "host": filled, "port": {"type": "integer"}},
            "required": ["host", "port"],
        },
        {
            "properties": {"enabled": {"const": true}, "use_auth": {"const": true},
                           "host": filled, "port": {"type": "integer"}, "username": filled},
            "required": ["host", "port", "use_auth", "username"],
        },
    ])
}

/// A test always runs as if the proxy were on: host and port required, and a user name
/// with `use_auth` on.
fn required_for_a_test() -> Value {
    json!([
        {"properties": {"use_auth": {"const": false}}},
        {
            "properties": {"use_auth": {"const": true}, "username": {"type": "string", "minLength": 1}},
            "required": ["use_auth", "username"],
        },
    ])
}

/// Statuses every operation can answer, with the JSON error body.
fn shared_responses() -> Vec<(&'static str, Value)> {
    vec![
        (
            "401",
            json!({
                "description": "no credentials, or an API token that is not valid",
                "headers": {"WWW-Authenticate": {"description": "`Bearer realm=\"fmc-mgmt\"` (with `error=\"invalid_token\"` for a bad token)", "schema": {"type": "string"}}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}},
            }),
        ),
        (
            "421",
            json!({
                "description": "the `Host` header names this server by a name it was not given (DNS rebinding protection; see `--allowed-host`)",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}},
            }),
        ),
        (
            "500",
            json!({
                "description": "the server could not complete the request (its log says why)",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}},
            }),
        ),
    ]
}

/// Set `key` in the object at `pointer`. The pointers name what the annotations in `api.rs`
/// generate; tests/api.rs checks every rule set here, so a renamed schema fails a test
/// rather than the server.
fn set(doc: &mut Value, pointer: &str, key: &str, value: Value) {
    match doc.pointer_mut(pointer).and_then(Value::as_object_mut) {
        Some(object) => {
            object.insert(key.to_owned(), value);
        }
        None => tracing::error!(pointer, key, "the OpenAPI document has no such object"),
    }
}

/// The keys of the object at `pointer`.
fn keys(doc: &Value, pointer: &str) -> Vec<String> {
    doc.pointer(pointer)
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// The test targets and the Trusted CA, as a PUT and a test take them.
fn targets_and_trusted_ca(doc: &mut Value) {
    let props = |schema: &str| format!("/components/schemas/{schema}/properties");
    let targets = json!({
        "type": ["array", "null"],
        "items": {"type": "string", "pattern": target_line_pattern()},
        "description": "Test targets, one entry a line as the page's textarea takes them: `\"https://host[:port]/path\"`, or with ` download` after the URL to fetch the whole body; a bare `host[:port]` means `https://host[:port]/`. Blank entries are skipped; at most 8 others, no URL twice (422 with `fields.targets` naming the entry otherwise). Absent, null or empty: the default target, `https://<--probe-target>/`.",
    });
    set(doc, &props("ProxyPut"), "targets", targets.clone());
    let test = props("ProxyTest");
    set(doc, &test, "targets", targets);
    let ca_pem = |absent: &str| {
        json!({
            "type": ["string", "null"],
            "maxLength": crate::settings::trusted_ca::MAX_PEM_BYTES,
            "description": format!("Trusted CA for the probe: PEM certificates (`-----BEGIN CERTIFICATE-----`, several in one string), e.g. a TLS-inspecting proxy's CA, trusted on top of `--ca-file` and the OS store. Each must be an X.509 certificate within its dates; a private key, other PEM, an expired certificate or more than {} in all is refused (422 with `fields.ca_pem`, never quoting the text). `\"\"` removes them all. {absent}", crate::settings::trusted_ca::MAX_CAS),
        })
    };
    set(
        doc,
        &props("ProxyPut"),
        "ca_pem",
        ca_pem("Absent or null keeps the saved ones."),
    );
    set(
        doc,
        &test,
        "ca_pem",
        ca_pem("Absent or null: the saved ones."),
    );
    set(
        doc,
        &props("ProxyPut"),
        "trusted_ca",
        json!({"type": ["array", "null"], "description": "The saved CAs as GET shows them. Ignored in a PUT (read-only): send `ca_pem` to change them."}),
    );
}

/// The generated document, completed.
pub fn complete(generated: &utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(generated).unwrap_or_default();
    let doc = &mut doc;
    let schemas = "/components/schemas";
    let props = |schema: &str| format!("{schemas}/{schema}/properties");

    set(doc, &props("ProxyView"), "host", host(true));
    set(doc, &props("ProxyView"), "port", port(true));
    set(doc, &props("ProxyView"), "username", username(true));

    let put = props("ProxyPut");
    set(doc, &put, "host", host(true));
    set(doc, &put, "port", port(true));
    set(doc, &put, "username", username(true));
    set(doc, &put, "password", password(BLANK_PASSWORD));
    let confirm = "Defaults to `password`; when sent it must equal it (otherwise 422).";
    set(doc, &put, "confirm_password", password(confirm));
    let read_only = [
        ("password_set", "boolean", "Whether a password is stored."),
        ("updated_at", "string", "When the revision was saved."),
        ("updated_by", "string", "Who saved the revision."),
    ];
    for (name, kind, what) in read_only {
        set(doc, &put, name, ignored(kind, what));
    }
    let put = format!("{schemas}/ProxyPut");
    set(doc, &put, "anyOf", required_when_enabled());
    set(doc, &put, "additionalProperties", json!(false));

    targets_and_trusted_ca(doc);
    let test = props("ProxyTest");
    set(doc, &test, "host", host(false));
    set(doc, &test, "port", port(false));
    set(doc, &test, "username", username(true));
    set(doc, &test, "password", password(TEST_PASSWORD));
    let test = format!("{schemas}/ProxyTest");
    set(doc, &test, "required", json!(["host", "port"]));
    set(doc, &test, "anyOf", required_for_a_test());
    set(doc, &test, "additionalProperties", json!(false));

    // A PUT's 422 is either refused values or, with `test_first`, a failed test. `anyOf`,
    // not `oneOf`: a failed test's body (`error` + `report`) is also a valid `ApiError`,
    // whose `fields` is optional (schemathesis found the oneOf false).
    let put_422 = "/paths/~1api~1v1~1proxy/put/responses/422/content/application~1json";
    let either = json!({"anyOf": [
        {"$ref": "#/components/schemas/ApiError"},
        {"$ref": "#/components/schemas/TestFailed"},
    ]});
    set(doc, put_422, "schema", either);

    // A test body is optional: without one the saved settings are tested.
    let test_body = "/paths/~1api~1v1~1proxy~1test/post/requestBody";
    set(doc, test_body, "required", json!(false));

    // What GET (or a PUT) answers is a valid PUT: said as a link, so clients and
    // Schemathesis's stateful phase can follow it.
    for method in ["get", "put"] {
        let ok = format!("/paths/~1api~1v1~1proxy/{method}/responses/200");
        set(doc, &ok, "links", put_back());
    }

    for path in keys(doc, "/paths") {
        let pointer = format!("/paths/{}", path.replace('~', "~0").replace('/', "~1"));
        for method in keys(doc, &pointer) {
            let responses = format!("{pointer}/{method}/responses");
            for (status, response) in shared_responses() {
                set(doc, &responses, status, response);
            }
        }
    }

    set(doc, "/components", "securitySchemes", security_schemes());
    set(
        doc,
        "",
        "security",
        json!([{"bearer": []}, {"session": []}]),
    );
    std::mem::take(doc)
}

fn put_back() -> Value {
    json!({
        "PutBack": {
            "operationId": "put_proxy",
            "requestBody": "$response.body",
            "description": "Send the settings back unchanged: 200, and no new revision.",
        },
    })
}

fn security_schemes() -> Value {
    json!({
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token made on System > API Tokens (`fmct_…`). No CSRF header needed.",
        },
        "session": {
            "type": "apiKey",
            "in": "cookie",
            "name": COOKIE,
            "description": "The UI's session cookie. Writes also need the session's CSRF token in `X-CSRF-Token` and a same-origin `Origin` (otherwise 403).",
        },
    })
}
