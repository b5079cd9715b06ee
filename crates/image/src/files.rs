//! The image files, stored once by their SHA-256 under the data directory
//! (`images/ab/cdef…`), however many items and fact-checks carry them. The store records
//! which ones do; these are only the bytes.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A SHA-256 as 64 lower-case hex digits: an image file's name and key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Hex(String);

impl Sha256Hex {
    /// The SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Sha256Hex {
        Sha256Hex(
            Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        )
    }

    /// Accepts exactly 64 lower-case hex digits (so a key can never be a path).
    pub fn parse(s: &str) -> Option<Sha256Hex> {
        (s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| Sha256Hex(s.to_string()))
    }

    /// The hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The directory of image files.
#[derive(Debug, Clone)]
pub struct ImageFiles {
    root: PathBuf,
}

impl ImageFiles {
    /// The files under `root` (`<data>/images`); created on the first write.
    pub fn new(root: impl Into<PathBuf>) -> ImageFiles {
        ImageFiles { root: root.into() }
    }

    /// Where the file with this hash lives.
    pub fn path(&self, sha: &Sha256Hex) -> PathBuf {
        self.root.join(&sha.0[..2]).join(&sha.0[2..])
    }

    /// Stores `bytes` under their hash, unless a file is there already, and returns it.
    /// Written to a temporary file and renamed, so a reader never sees half a file.
    pub fn put(&self, bytes: &[u8]) -> io::Result<Sha256Hex> {
        let sha = Sha256Hex::of(bytes);
        let path = self.path(&sha);
        if path.exists() {
            return Ok(sha);
        }
        let dir = path.parent().expect("two levels under the root");
        fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".{}.{}.tmp", &sha.0[2..], std::process::id()));
        {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        fs::rename(&tmp, &path)?;
        Ok(sha)
    }

    /// The bytes stored under `sha`, or `None` when there is no such file.
    pub fn get(&self, sha: &Sha256Hex) -> io::Result<Option<Vec<u8>>> {
        match fs::read(self.path(sha)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }
}
