//! Password hashing with argon2id (the crate's defaults: m=19 MiB, t=2, p=1).

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::secret::Secret;

pub fn hash(password: &Secret) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)?
        .to_string())
}

pub fn verify(password: &Secret, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok()
    })
}

/// Hashes verified at once. Each argon2id verification holds 19 MiB for tens of
/// milliseconds: unbounded, a burst of logins would take gigabytes (which the allocator
/// then keeps), so logins queue here instead — about one per core.
static VERIFYING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// [`verify`] off the async threads, at most two at a time.
pub async fn verify_bounded(password: Secret, phc: String) -> bool {
    let Ok(_permit) = VERIFYING.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify(&password, &phc))
        .await
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so that a wrong user name
/// takes as long as a wrong password and names cannot be probed by timing.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&Secret::new(super::random_hex(16))).unwrap_or_default())
}

/// A password for the first admin when none was given: 20 letters and digits.
pub fn generate() -> Secret {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    Secret::new(
        bytes
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect::<String>(),
    )
}

/// Rules for UI account passwords (stricter than nothing, looser than a policy engine).
pub fn check_new(password: &str) -> Result<(), String> {
    if password.chars().count() < 8 {
        return Err("The password must be at least 8 characters.".into());
    }
    if password.len() > 128 {
        return Err("The password may be at most 128 characters.".into());
    }
    if password.chars().any(char::is_control) {
        return Err("The password must not contain control characters.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash(&Secret::new("correct horse")).unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify(&Secret::new("correct horse"), &phc));
        assert!(!verify(&Secret::new("correct horsf"), &phc));
        assert!(!verify(&Secret::new("x"), "not a hash"));
    }

    #[test]
    fn generated_passwords_are_20_unambiguous_characters() {
        let p = generate();
        assert_eq!(p.expose().len(), 20);
        assert!(
            p.expose()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() && !"0O1lI".contains(c))
        );
    }
}
