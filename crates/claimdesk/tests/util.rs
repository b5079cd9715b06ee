//! Running the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh data directory and the binary to run against it.
pub struct Desk {
    pub dir: tempfile::TempDir,
}

/// What one run printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Asserts exit code 0 and returns stdout.
    pub fn ok(self) -> String {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self.stdout
    }
}

impl Desk {
    /// A new desk, created by `claimdesk init` as a user creates one.
    pub fn new() -> Desk {
        let desk = Desk::bare();
        desk.run(&["--lexical-only", "init"]).ok();
        desk
    }

    /// A temporary directory with no desk in it yet (`data()` does not exist).
    pub fn bare() -> Desk {
        Desk {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_claimdesk"))
            .arg("--data")
            .arg(self.data())
            .args(args)
            .env_remove("CLAIMDESK_DATA")
            .output()
            .expect("run claimdesk");
        Run::from(out)
    }

    /// Starts `claimdesk --lexical-only serve` on a free loopback port and waits for its
    /// banner: the running server (stderr piped) and its `host:port`.
    pub fn serve(&self) -> (std::process::Child, String) {
        use std::io::BufRead;
        use std::process::Stdio;
        let mut child = Command::new(env!("CARGO_BIN_EXE_claimdesk"))
            .arg("--data")
            .arg(self.data())
            .args(["--lexical-only", "serve", "--addr", "127.0.0.1:0"])
            .env_remove("CLAIMDESK_DATA")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start serve");
        let mut banner = String::new();
        std::io::BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut banner)
            .expect("read the banner");
        assert!(
            banner.starts_with("claimdesk desk: http://127.0.0.1:"),
            "{banner}"
        );
        let addr = banner
            .strip_prefix("claimdesk desk: http://")
            .and_then(|s| s.split('/').next())
            .unwrap_or_else(|| panic!("no address in the banner {banner:?}"))
            .trim()
            .to_string();
        (child, addr)
    }

    /// Runs with `input` on standard input.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Run {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = Command::new(env!("CARGO_BIN_EXE_claimdesk"))
            .arg("--data")
            .arg(self.data())
            .args(args)
            .env_remove("CLAIMDESK_DATA")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run claimdesk");
        // A command that refuses its arguments exits without reading stdin: a broken pipe
        // then is its answer, not the test's failure.
        match child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
        {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("write stdin: {e}"),
            _ => {}
        }
        Run::from(child.wait_with_output().expect("wait for claimdesk"))
    }

    /// The store file of the data directory.
    pub fn db(&self) -> PathBuf {
        self.data().join("claimdesk.db")
    }

    /// Writes `contents` to a file in the temp directory and returns its path.
    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, contents).expect("write test file");
        p.display().to_string()
    }

    /// `match --text` as JSON.
    pub fn matches(&self, text: &str) -> Vec<serde_json::Value> {
        let run = self.run(&["match", "--json", "--top", "5", "--text", text]);
        assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
        serde_json::from_str(&run.stdout).expect("match --json prints JSON")
    }

    /// Source ids of `match --text`, best first.
    pub fn ranked(&self, text: &str) -> Vec<String> {
        self.matches(text)
            .iter()
            .map(|m| m["source_id"].as_str().unwrap().to_string())
            .collect()
    }
}

/// A test data file shipped with the repository.
pub fn data_file(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
        .display()
        .to_string()
}

/// One ClaimReview as a JSON line.
pub fn claim_review(url: &str, claim: &str, headline: &str, lang: &str) -> String {
    serde_json::json!({
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim,
        "headline": headline,
        "inLanguage": lang,
        "author": {"@type": "Organization", "name": "Test desk"},
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1, "alternateName": "False"}
    })
    .to_string()
}
