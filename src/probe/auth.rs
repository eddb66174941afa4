//! Proxy authentication: reading `Proxy-Authenticate`, choosing the strongest scheme we
//! speak, answering it (Digest through the `http-auth` crate), and limiting the rounds.

use http_auth::digest::Algorithm;
use http_auth::{ChallengeParser, DigestClient, PasswordParams};

use crate::locale::Text;
use crate::secret::Secret;

/// Auth rounds answered at most (one more is allowed once for a Digest `stale=true`).
pub const MAX_ROUNDS: u32 = 2;

/// A scheme the probe can answer with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Basic,
    DigestMd5,
    /// SHA-256 or another SHA-2 digest algorithm.
    DigestSha256,
}

impl Scheme {
    /// The report's `auth.used` value.
    pub fn report_name(self) -> &'static str {
        match self {
            Scheme::Basic => "basic",
            Scheme::DigestMd5 | Scheme::DigestSha256 => "digest",
        }
    }

    /// How the walk-through names it.
    pub fn describe(self) -> &'static str {
        match self {
            Scheme::Basic => "Basic",
            Scheme::DigestMd5 => "Digest (MD5)",
            Scheme::DigestSha256 => "Digest (SHA-256)",
        }
    }

    /// The curl flag that makes curl answer the same way.
    pub fn curl_flag(self) -> &'static str {
        match self {
            Scheme::Basic => "--proxy-basic",
            Scheme::DigestMd5 | Scheme::DigestSha256 => "--proxy-digest",
        }
    }
}

/// What the probe can do with a 407's challenges.
#[derive(Debug)]
pub enum Choice {
    Digest {
        client: Box<DigestClient>,
        scheme: Scheme,
        stale: bool,
    },
    Basic,
    /// Only NTLM and/or Negotiate were offered.
    OnlyNtlm,
    /// Only schemes the probe does not speak (or none at all).
    Unsupported,
}

/// The challenges of one 407, as offered and as chosen.
#[derive(Debug)]
pub struct Challenges {
    /// Scheme names in the order offered, without repeats (`["Digest", "Basic"]`).
    pub offered: Vec<String>,
    pub choice: Choice,
}

/// Reads every `Proxy-Authenticate` value (one header may hold several challenges, and
/// there may be several headers) and picks Digest SHA-256, then Digest MD5, then Basic.
pub fn read_challenges<'a>(values: impl IntoIterator<Item = &'a str>) -> Challenges {
    let mut offered: Vec<String> = Vec::new();
    let mut best_digest: Option<(Box<DigestClient>, Scheme, bool)> = None;
    let mut basic = false;
    for value in values {
        for parsed in ChallengeParser::new(value) {
            let challenge = match parsed {
                Ok(c) => c,
                Err(_) => {
                    // e.g. `NTLM <token68>`, which the parser does not take: keep the
                    // scheme name so the report and the NTLM check still see it.
                    if let Some(name) = value.split([' ', ',']).next().filter(|n| !n.is_empty()) {
                        note(name, &mut offered);
                    }
                    break;
                }
            };
            note(challenge.scheme, &mut offered);
            if challenge.scheme.eq_ignore_ascii_case("Basic") {
                basic = true;
            } else if challenge.scheme.eq_ignore_ascii_case("Digest") {
                if let Ok(client) = DigestClient::try_from(&challenge) {
                    let scheme = match client.algorithm() {
                        Algorithm::Md5 => Scheme::DigestMd5,
                        _ => Scheme::DigestSha256,
                    };
                    let better = match &best_digest {
                        None => true,
                        Some((_, s, _)) => {
                            *s == Scheme::DigestMd5 && scheme == Scheme::DigestSha256
                        }
                    };
                    if better {
                        let stale = client.stale();
                        best_digest = Some((Box::new(client), scheme, stale));
                    }
                }
            }
        }
    }
    let choice = if let Some((client, scheme, stale)) = best_digest {
        Choice::Digest {
            client,
            scheme,
            stale,
        }
    } else if basic {
        Choice::Basic
    } else if !offered.is_empty()
        && offered
            .iter()
            .all(|s| s.eq_ignore_ascii_case("NTLM") || s.eq_ignore_ascii_case("Negotiate"))
    {
        Choice::OnlyNtlm
    } else {
        Choice::Unsupported
    };
    Challenges { offered, choice }
}

fn note(name: &str, offered: &mut Vec<String>) {
    if !offered.iter().any(|o| o.eq_ignore_ascii_case(name)) {
        offered.push(name.to_string());
    }
}

/// The `Proxy-Authorization` value answering `choice` for a CONNECT to `authority`.
/// Digest's `uri` is the authority, as the request line has it.
pub fn answer(
    choice: &mut Choice,
    username: &str,
    password: &Secret,
    authority: &str,
) -> Result<(Scheme, String), Text> {
    answer_request(choice, username, password, ("CONNECT", authority))
}

/// The `Proxy-Authorization` value answering `choice` for a `method` request to `uri`:
/// a CONNECT to an authority, or a plain-HTTP `HEAD` to an absolute URL. Digest signs
/// both, as the request line has them.
pub fn answer_request(
    choice: &mut Choice,
    username: &str,
    password: &Secret,
    (method, uri): (&str, &str),
) -> Result<(Scheme, String), Text> {
    match choice {
        Choice::Basic => Ok((
            Scheme::Basic,
            http_auth::basic::encode_credentials(username, password.expose()),
        )),
        Choice::Digest { client, scheme, .. } => {
            let value = client
                .respond(&PasswordParams {
                    username,
                    password: password.expose(),
                    uri,
                    method,
                    body: None,
                })
                .map_err(|why| {
                    // The digest crate's own words stay in the English.
                    crate::locale::quoting(why.to_string(), "probe-auth-digest-unanswerable", &[])
                })?;
            Ok((*scheme, value))
        }
        Choice::OnlyNtlm | Choice::Unsupported => Err(crate::locale::text(
            "probe-auth-no-scheme-to-answer-with",
            &[],
        )),
    }
}

/// What to do about a 407.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Answer it (this is round `n`).
    Answer(u32),
    /// No credentials are configured.
    Required,
    /// Credentials were sent and the proxy still says 407, with no rounds left.
    Failed,
    /// The proxy speaks only NTLM/Negotiate.
    NtlmOnly,
    /// The proxy speaks no scheme the probe knows.
    Unsupported,
}

/// Counts auth rounds: [`MAX_ROUNDS`], plus one once for a Digest `stale=true`.
#[derive(Clone, Debug, Default)]
pub struct Rounds {
    answered: u32,
    stale_bonus: bool,
}

impl Rounds {
    pub fn new() -> Self {
        Self::default()
    }

    /// Rounds answered so far.
    pub fn answered(&self) -> u32 {
        self.answered
    }

    pub fn on_407(&mut self, has_credentials: bool, challenges: &Challenges) -> Decision {
        let stale = match &challenges.choice {
            Choice::OnlyNtlm => return Decision::NtlmOnly,
            Choice::Unsupported if self.answered > 0 => return Decision::Failed,
            Choice::Unsupported => return Decision::Unsupported,
            Choice::Digest { stale, .. } => *stale,
            Choice::Basic => false,
        };
        if !has_credentials {
            return Decision::Required;
        }
        let mut allowed = MAX_ROUNDS + u32::from(self.stale_bonus);
        if stale && self.answered >= allowed && !self.stale_bonus {
            self.stale_bonus = true;
            allowed += 1;
        }
        if self.answered >= allowed {
            return Decision::Failed;
        }
        self.answered += 1;
        Decision::Answer(self.answered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST_MD5: &str = r#"Digest realm="squid", nonce="abc", qop="auth", algorithm=MD5"#;
    const DIGEST_SHA: &str = r#"Digest realm="squid", nonce="def", qop="auth", algorithm=SHA-256"#;

    fn scheme_of(c: &Challenges) -> Option<Scheme> {
        match &c.choice {
            Choice::Digest { scheme, .. } => Some(*scheme),
            Choice::Basic => Some(Scheme::Basic),
            _ => None,
        }
    }

    #[test]
    fn digest_sha256_is_preferred_over_md5_and_basic_across_headers() {
        let c = read_challenges([r#"Basic realm="x""#, DIGEST_MD5, DIGEST_SHA]);
        assert_eq!(scheme_of(&c), Some(Scheme::DigestSha256));
        assert_eq!(c.offered, vec!["Basic", "Digest"]);
    }

    #[test]
    fn several_challenges_in_one_header_are_all_seen() {
        let one = format!(r#"Basic realm="x", {DIGEST_MD5}, Negotiate"#);
        let c = read_challenges([one.as_str()]);
        assert_eq!(scheme_of(&c), Some(Scheme::DigestMd5));
        assert_eq!(c.offered, vec!["Basic", "Digest", "Negotiate"]);
    }

    #[test]
    fn basic_is_used_when_it_is_the_only_known_scheme() {
        let c = read_challenges(["NTLM", r#"Basic realm="proxy""#]);
        assert_eq!(scheme_of(&c), Some(Scheme::Basic));
    }

    #[test]
    fn ntlm_and_negotiate_alone_are_unsupported() {
        let c = read_challenges(["NTLM", "Negotiate"]);
        assert!(matches!(c.choice, Choice::OnlyNtlm));
        let c = read_challenges(["NTLM TlRMTVNTUAACAAAADAAMADgAAAA="]);
        assert!(matches!(c.choice, Choice::OnlyNtlm));
        assert_eq!(c.offered, vec!["NTLM"]);
    }

    #[test]
    fn a_407_without_challenges_is_unsupported() {
        let c = read_challenges(std::iter::empty());
        assert!(matches!(c.choice, Choice::Unsupported));
        let c = read_challenges([r#"Bearer realm="x""#]);
        assert!(matches!(c.choice, Choice::Unsupported));
    }

    #[test]
    fn basic_answers_with_the_password_as_is_even_with_colons() {
        let mut c = read_challenges([r#"Basic realm="x""#]).choice;
        let (scheme, value) = answer(&mut c, "u", &Secret::new("p@ss:w0rd!#%&"), "h:443").unwrap();
        assert_eq!(scheme, Scheme::Basic);
        // base64("u:p@ss:w0rd!#%&")
        assert_eq!(value, "Basic dTpwQHNzOncwcmQhIyUm");
    }

    #[test]
    fn digest_answers_with_the_connect_authority_as_uri() {
        let mut c = read_challenges([DIGEST_MD5]).choice;
        let (scheme, value) = answer(&mut c, "u", &Secret::new("pw"), "[::1]:8443").unwrap();
        assert_eq!(scheme, Scheme::DigestMd5);
        assert!(value.starts_with("Digest "));
        assert!(value.contains(r#"uri="[::1]:8443""#), "{value}");
        assert!(value.contains("qop=auth"), "{value}");
        assert!(!value.contains("pw\""));
    }

    #[test]
    fn without_credentials_a_407_means_auth_required() {
        let c = read_challenges([r#"Basic realm="x""#]);
        assert_eq!(Rounds::new().on_407(false, &c), Decision::Required);
    }

    #[test]
    fn ntlm_only_wins_over_missing_credentials() {
        let c = read_challenges(["NTLM"]);
        assert_eq!(Rounds::new().on_407(false, &c), Decision::NtlmOnly);
    }

    #[test]
    fn two_rounds_are_answered_then_the_third_407_fails() {
        let c = read_challenges([r#"Basic realm="x""#]);
        let mut r = Rounds::new();
        assert_eq!(r.on_407(true, &c), Decision::Answer(1));
        assert_eq!(r.on_407(true, &c), Decision::Answer(2));
        assert_eq!(r.on_407(true, &c), Decision::Failed);
        assert_eq!(r.answered(), 2);
    }

    #[test]
    fn a_stale_nonce_earns_exactly_one_more_round() {
        let fresh = read_challenges([DIGEST_MD5]);
        let stale_value = format!("{DIGEST_MD5}, stale=true");
        let stale = read_challenges([stale_value.as_str()]);
        let mut r = Rounds::new();
        assert_eq!(r.on_407(true, &fresh), Decision::Answer(1));
        assert_eq!(r.on_407(true, &stale), Decision::Answer(2));
        assert_eq!(r.on_407(true, &stale), Decision::Answer(3));
        assert_eq!(r.on_407(true, &stale), Decision::Failed);
    }

    #[test]
    fn an_unknown_scheme_after_credentials_counts_as_failure() {
        let basic = read_challenges([r#"Basic realm="x""#]);
        let other = read_challenges([r#"Bearer realm="x""#]);
        let mut r = Rounds::new();
        assert_eq!(r.on_407(true, &other), Decision::Unsupported);
        assert_eq!(r.on_407(true, &basic), Decision::Answer(1));
        assert_eq!(r.on_407(true, &other), Decision::Failed);
    }
}
