//! Who may use the UI: accounts (argon2id), server-side sessions, CSRF tokens, login
//! throttling, API tokens: services for `web`, which owns the HTTP side (cookies, CSRF,
//! the session middleware in `web::guard`).

pub mod api_tokens;
pub mod password;
pub mod sessions;
pub mod throttle;
pub mod users;

/// Random bytes as lowercase hex: session tokens, CSRF tokens.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // The OS random source failing is not recoverable and must not yield a weak token.
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    crate::hex::encode(&buf)
}

/// Compare secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_distinct() {
        let a = random_hex(32);
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_hex(32));
    }

    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
