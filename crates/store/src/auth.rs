//! Passwords and tokens, the store's side of signing in.
//!
//! This lives in the store rather than in `claimdesk-core` because it needs the operating
//! system's randomness (salts and tokens), and core does no I/O. The server calls
//! [`hash_password`] before [`crate::UserStore::add_user`] / [`crate::UserStore::set_password`], and
//! [`verify_password`] against [`crate::UserStore::user_credentials`] at sign-in; it hashes the
//! cookie or bearer value with [`TokenHash::of`] to look a session or API token up.
//!
//! - Passwords: argon2id with the argon2 crate's default parameters (19 MiB, 2 passes,
//!   1 lane) and a random 16-byte salt, kept as a PHC string (`$argon2id$v=19$...`), which
//!   carries its own parameters so they can be raised later without breaking old hashes.
//! - Tokens: 32 random bytes from the OS, as 64 lowercase hex characters. Only their SHA-256
//!   is stored, so a copy of the database opens no session.

use std::fmt;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash as Phc;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// Fewest characters (Unicode scalar values) a password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The least zxcvbn score a new password needs: 3, more than 10^8 guesses by its estimate
/// (common words, names, dates, keyboard walks and l33t spellings count for little).
pub const MIN_PASSWORD_SCORE: u8 = 3;

/// An argon2id password hash in PHC string form.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a stored PHC string.
    pub fn from_phc(phc: String) -> PasswordHash {
        PasswordHash(phc)
    }

    /// The PHC string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// Hashes a new password (argon2id, random salt). Refuses passwords shorter than
/// [`MIN_PASSWORD_CHARS`] not counting white space (eight spaces are no password), and
/// those zxcvbn scores below [`MIN_PASSWORD_SCORE`].
pub fn hash_password(password: &str) -> Result<PasswordHash> {
    if password.chars().filter(|c| !c.is_whitespace()).count() < MIN_PASSWORD_CHARS {
        return Err(Error::PasswordTooShort {
            min: MIN_PASSWORD_CHARS,
        });
    }
    let estimate = zxcvbn::zxcvbn(password, &[]);
    if (estimate.score() as u8) < MIN_PASSWORD_SCORE {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map_or(String::new(), |w| format!(": {w}"));
        return Err(Error::PasswordTooWeak { hint });
    }
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| Error::Crypto(format!("cannot hash the password: {e}")))?;
    Ok(PasswordHash(hash.to_string()))
}

/// Whether `password` is the one `hash` was made from. A malformed stored hash verifies
/// nothing.
pub fn verify_password(hash: &PasswordHash, password: &str) -> bool {
    let Ok(parsed) = Phc::new(&hash.0) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// A session or API token as handed to its holder, once. Its `Debug` form hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// 32 random bytes from the operating system, as 64 hex characters.
    pub fn generate() -> Result<Secret> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::Crypto(format!("no randomness from the OS: {e}")))?;
        Ok(Secret(claimdesk_core::audit::hex(&bytes)))
    }

    /// The token itself, to put in a cookie or show the user.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Its hash, the form the store keeps.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// The SHA-256 of a token, lowercase hex: what the store keeps and looks tokens up by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl TokenHash {
    /// The hash of a token as presented (cookie value, bearer token).
    pub fn of(token: &str) -> TokenHash {
        TokenHash(claimdesk_core::audit::hex(&Sha256::digest(
            token.as_bytes(),
        )))
    }

    /// The hex form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_salts_differ() {
        let a = hash_password("correct horse").unwrap();
        let b = hash_password("correct horse").unwrap();
        assert!(a.as_str().starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify_password(&a, "correct horse"));
        assert!(!verify_password(&a, "correct horsE"));
        assert!(!verify_password(
            &PasswordHash::from_phc("nonsense".into()),
            "x"
        ));
    }

    #[test]
    fn short_passwords_are_refused() {
        let e = hash_password("1234567").unwrap_err();
        assert_eq!(e.to_string(), "a password needs at least 8 characters");
        // Characters, not bytes: eight Vietnamese letters pass the length rule (then the
        // guessability one decides).
        assert!(!matches!(
            hash_password("mậtkhẩuơ"),
            Err(Error::PasswordTooShort { .. })
        ));
        assert!(hash_password("mậtkhẩu vững chắc").is_ok());
    }

    #[test]
    fn regression_guessable_passwords_are_refused_with_the_reason() {
        for weak in [
            "password1",
            "12345678",
            "qwertyuiop",
            "iloveyou2026",
            "claimdesk",
        ] {
            let e = hash_password(weak).unwrap_err();
            assert!(matches!(e, Error::PasswordTooWeak { .. }), "{weak}: {e}");
            assert!(e.to_string().contains("too easy to guess"), "{e}");
        }
        for strong in [
            "correct horse battery",
            "lemon-tide 42 quarry",
            "editor-pw-1093218374",
        ] {
            assert!(hash_password(strong).is_ok(), "{strong}");
        }
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = Secret::generate().unwrap();
        let b = Secret::generate().unwrap();
        assert_eq!(a.expose().len(), 64);
        assert_ne!(a, b);
        assert_eq!(a.hash(), TokenHash::of(a.expose()));
        assert_ne!(a.hash().as_str(), a.expose());
        assert_eq!(
            TokenHash::of("abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(format!("{a:?}"), "Secret(..)");
    }
}
