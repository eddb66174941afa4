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

/// [`verify`] off the async threads. Each argon2id verification holds 19 MiB for tens of
/// milliseconds, so the number running is bounded by the login throttle's permits; the
/// permit travels with the work, so the bound holds even when the client goes away and
/// its request is dropped mid-check.
pub async fn verify_bounded(
    password: Secret,
    phc: String,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
) -> bool {
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        verify(&password, &phc)
    })
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

/// Rules for UI account passwords, for `set-password` and the first admin's
/// `FMC_ADMIN_PASSWORD` alike: at least 12 characters, not all of one class (letters,
/// digits, others), at most 128, no control characters.
pub fn check_new(password: &str) -> Result<(), String> {
    if password.chars().count() < 12 {
        return Err("The password must be at least 12 characters.".into());
    }
    let class = |c: char| {
        if c.is_alphabetic() {
            0
        } else if c.is_numeric() {
            1
        } else {
            2
        }
    };
    let mut classes = password.chars().map(class);
    let first = classes.next();
    if classes.all(|c| Some(c) == first) {
        return Err(
            "The password must mix letters, digits and other characters (not all of one kind)."
                .into(),
        );
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
    fn new_passwords_need_12_characters_of_more_than_one_kind() {
        assert!(check_new("a").is_err());
        assert!(check_new("abcdefghijk1").is_ok());
        assert!(check_new("abcdefghijk").is_err(), "11 characters");
        assert!(check_new("abcdefghijklmnop").is_err(), "letters only");
        assert!(check_new("123456789012").is_err(), "digits only");
        assert!(check_new("!!!!!!!!!!!!").is_err(), "others only");
        assert!(check_new(&format!("{}1", "a".repeat(128))).is_err());
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
