//! The fuzz corpus replayed as ordinary tests: every input cargo-fuzz found interesting
//! (`fuzz/corpus/<target>/`, minimized and committed), and every crash it ever found
//! (`fuzz/regressions/<target>/`, kept after the fix), fed to the same target function
//! the fuzzer runs (`fuzz/targets.rs`). A parser that panics on any of them fails here.

use std::path::{Path, PathBuf};

#[path = "../../../fuzz/targets.rs"]
mod targets;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files under `dir`, sorted (none when it does not exist).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file());
    files.sort();
    files
}

#[test]
fn every_parser_survives_its_fuzz_corpus_and_past_crashes() {
    let mut failures = Vec::new();
    let mut replayed = 0usize;
    for (name, target) in targets::TARGETS {
        let corpus = inputs(&fuzz_dir().join("corpus").join(name));
        assert!(
            !corpus.is_empty(),
            "fuzz/corpus/{name} is empty: run `bash fuzz/run.sh {name}` and commit its corpus"
        );
        let regressions = inputs(&fuzz_dir().join("regressions").join(name));
        for file in corpus.iter().chain(&regressions) {
            let data = std::fs::read(file).expect("a readable corpus file");
            replayed += 1;
            if std::panic::catch_unwind(|| target(&data)).is_err() {
                failures.push(file.display().to_string());
            }
        }
    }
    assert!(failures.is_empty(), "parsers panicked on: {failures:#?}");
    assert!(replayed >= targets::TARGETS.len());
}
