//! The proxy password at rest: sealed with ChaCha20-Poly1305 under a key kept beside the
//! database in `<data-dir>/secret.key` (mode 0600), so a copied database alone does not
//! reveal it (SPEC §8). The probe needs the clear text, so a hash would not do.
//!
//! Sealed values read `sealed:v1:<hex of nonce ‖ ciphertext ‖ tag>`; anything else in the
//! column is a password stored before sealing existed, sealed at the next start.

use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

use crate::secret::Secret;

const PREFIX: &str = "sealed:v1:";
const KEY_LEN: usize = 32;
/// Binds a sealed value to its use: it cannot be passed off as another kind of secret.
const AAD: &[u8] = b"fmc-mgmt proxy password";

pub struct SecretBox {
    key: LessSafeKey,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(****)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or create the key file {path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("the key file {path} is not a key this program wrote ({len} bytes, expected 32)")]
    Malformed { path: String, len: usize },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    #[error("the sealed value is malformed")]
    Malformed,
    #[error("the sealed value does not open with this key (secret.key replaced or lost?)")]
    WrongKey,
}

/// Whether a stored value is sealed already.
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

impl SecretBox {
    /// The key in `path`, made (32 random bytes, mode 0600, created exclusively and never
    /// through a link) when there is none.
    pub fn load_or_create(path: &Path) -> Result<SecretBox, KeyError> {
        let io_err = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        let bytes = match OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
        {
            Ok(mut file) => {
                let mut bytes = Vec::new();
                Read::by_ref(&mut file)
                    .take(KEY_LEN as u64 + 1)
                    .read_to_end(&mut bytes)
                    .map_err(io_err)?;
                // Tighten a key someone loosened.
                fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(io_err)?;
                bytes
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let mut bytes = vec![0u8; KEY_LEN];
                getrandom::fill(&mut bytes).map_err(|e| io_err(io::Error::other(e.to_string())))?;
                let mut file = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .custom_flags(libc::O_NOFOLLOW)
                    .open(path)
                    .map_err(io_err)?;
                file.write_all(&bytes).map_err(io_err)?;
                file.sync_all().map_err(io_err)?;
                bytes
            }
            Err(e) => return Err(io_err(e)),
        };
        Self::from_bytes(&bytes).ok_or(KeyError::Malformed {
            path: path.display().to_string(),
            len: bytes.len(),
        })
    }

    fn from_bytes(bytes: &[u8]) -> Option<SecretBox> {
        if bytes.len() != KEY_LEN {
            return None;
        }
        let key = UnboundKey::new(&CHACHA20_POLY1305, bytes).ok()?;
        Some(SecretBox {
            key: LessSafeKey::new(key),
        })
    }

    /// Seal `secret` under a fresh random nonce.
    pub fn seal(&self, secret: &Secret) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).expect("the operating system's random source failed");
        let mut sealed = secret.expose().as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(AAD),
                &mut sealed,
            )
            .expect("ChaCha20-Poly1305 seals any password-sized input");
        let mut out = String::with_capacity(PREFIX.len() + 2 * (NONCE_LEN + sealed.len()));
        out.push_str(PREFIX);
        out.push_str(&crate::hex::encode(&nonce));
        out.push_str(&crate::hex::encode(&sealed));
        out
    }

    /// The secret in a stored value: opened when sealed, as it is when stored before
    /// sealing existed.
    pub fn open(&self, stored: &str) -> Result<Secret, OpenError> {
        let Some(hex) = stored.strip_prefix(PREFIX) else {
            return Ok(Secret::new(stored));
        };
        let bytes = crate::hex::decode(hex).ok_or(OpenError::Malformed)?;
        if bytes.len() < NONCE_LEN {
            return Err(OpenError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| OpenError::Malformed)?;
        let mut sealed = sealed.to_vec();
        let clear = self
            .key
            .open_in_place(nonce, Aad::from(AAD), &mut sealed)
            .map_err(|_| OpenError::WrongKey)?;
        String::from_utf8(clear.to_vec())
            .map(Secret::new)
            .map_err(|_| OpenError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_password_opens_with_its_key_only_and_never_shows_in_clear() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let sealer = SecretBox::load_or_create(&path).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let sealed = sealer.seal(&Secret::new("hunter2-proxy"));
        assert!(is_sealed(&sealed) && !sealed.contains("hunter2"));
        assert_ne!(
            sealed,
            sealer.seal(&Secret::new("hunter2-proxy")),
            "fresh nonce"
        );
        let again = SecretBox::load_or_create(&path).unwrap();
        assert_eq!(again.open(&sealed).unwrap().expose(), "hunter2-proxy");

        let other = SecretBox::load_or_create(&dir.path().join("other.key")).unwrap();
        assert_eq!(other.open(&sealed).unwrap_err(), OpenError::WrongKey);
        let mut tampered = sealed.clone();
        tampered.replace_range(tampered.len() - 2.., "00");
        assert!(again.open(&tampered).is_err());
        assert_eq!(
            again.open("sealed:v1:zz").unwrap_err(),
            OpenError::Malformed
        );
        assert_eq!(again.open("legacy-clear").unwrap().expose(), "legacy-clear");
    }

    #[test]
    fn a_key_file_of_the_wrong_size_or_a_link_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let short = dir.path().join("short.key");
        fs::write(&short, b"too short").unwrap();
        assert!(matches!(
            SecretBox::load_or_create(&short),
            Err(KeyError::Malformed { len: 9, .. })
        ));
        let link = dir.path().join("link.key");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &link).unwrap();
        assert!(SecretBox::load_or_create(&link).is_err());
        assert!(
            !dir.path().join("elsewhere").exists(),
            "no key made through a link"
        );
    }
}
