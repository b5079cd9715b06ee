//! Loader test: multilingual-e5-small from `models/e5-small-q4.bin` against values computed
//! once with the numpy reference (`../shared/bench/reference_e5_numpy.py`).
//!
//! The model is looked up at `models/e5-small-q4.bin` in the workspace root, or at
//! `$CLAIMDESK_MODEL`. A missing model FAILS the test (run `scripts/fetch-model`; CI fetches
//! it) unless `CLAIMDESK_SKIP_MODEL_TESTS=1`.
//!
//! How the expected values were computed (numpy 2.4.6 + OpenBLAS, Python 3.11):
//! - ids and `vec[:8]` of the single texts: `reference_e5_numpy.py models/e5-small-q4.bin
//!   vectors TEXT` (each text embedded alone, exactly as given, prefix included);
//! - the long text: the reference's tokenizer gives 962 pieces; the windows `Embedder::embed`
//!   uses (`<s>` + 510 pieces + `</s>`, consecutive windows sharing 128 pieces: 512, 512 and 200
//!   tokens) were each run through the reference's `E5.forward`, summed and L2-normalized;
//! - the cosines (0.968 paraphrase, 0.905 translation, 0.785 unrelated) by the reference's
//!   `embed` on the four `query: ` texts.

use std::path::PathBuf;
use std::sync::OnceLock;

use claimdesk_embed::file::{ModelFile, Q4_BLOCK, Q4_BLOCK_BYTES, dequantize_q4};
use claimdesk_embed::{E5, Embedder, TextKind, cosine};
use unicode_normalization::UnicodeNormalization;

fn model_path() -> PathBuf {
    match std::env::var_os("CLAIMDESK_MODEL") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/e5-small-q4.bin"),
    }
}

/// The model, loaded once for all tests; `None` only when model tests are skipped on purpose.
fn model() -> Option<&'static E5> {
    static MODEL: OnceLock<Option<E5>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            if std::env::var("CLAIMDESK_SKIP_MODEL_TESTS").as_deref() == Ok("1") {
                eprintln!("CLAIMDESK_SKIP_MODEL_TESTS=1: skipping the model tests");
                return None;
            }
            let path = model_path();
            assert!(
                path.exists(),
                "model file {} is missing: run `scripts/fetch-model` (CI fetches it), set \
                 CLAIMDESK_MODEL to its path, or set CLAIMDESK_SKIP_MODEL_TESTS=1 to skip",
                path.display()
            );
            Some(E5::load(&path).unwrap_or_else(|e| panic!("loading {}: {e}", path.display())))
        })
        .as_ref()
}

const VIETNAMESE: &str = "query: Các trạm phát sóng 5G làm lây lan virus corona.";

/// (name, text, token ids, first 8 components), from the reference's `vectors` subcommand.
fn cases() -> Vec<(&'static str, String, Vec<u32>, [f32; 8])> {
    let vietnamese_ids = vec![
        0, 41, 1294, 12, 9211, 234231, 5152, 99114, 190, 724, 1839, 96, 38746, 2515, 14994, 109728,
        5, 2,
    ];
    let vietnamese_vec = [
        0.051151, -0.052923, -0.014885, -0.035151, 0.101782, 0.027669, 0.044609, 0.057753,
    ];
    vec![
        (
            "English",
            "query: 5G towers spread the coronavirus.".into(),
            vec![
                0, 41, 1294, 12, 190, 724, 47, 42844, 93403, 70, 109728, 76912, 5, 2,
            ],
            [
                0.037968, -0.022725, -0.041168, -0.070585, 0.083790, 0.011130, 0.025717, 0.065657,
            ],
        ),
        (
            "Vietnamese NFC",
            VIETNAMESE.nfc().collect(),
            vietnamese_ids.clone(),
            vietnamese_vec,
        ),
        (
            "Vietnamese NFD",
            VIETNAMESE.nfd().collect(),
            vietnamese_ids,
            vietnamese_vec,
        ),
        (
            "emoji",
            "query: Vaccines cause autism 😱🔥 #fakenews".into(),
            vec![
                0, 41, 1294, 12, 58698, 33647, 7, 22304, 141559, 6, 243786, 222326, 468, 1021, 350,
                7177, 2,
            ],
            [
                0.021769, 0.010286, -0.066205, -0.070134, 0.072372, 0.016217, -0.014067, 0.023613,
            ],
        ),
        (
            "empty",
            String::new(),
            vec![0, 2],
            [
                0.053284, -0.007524, -0.040677, -0.037495, 0.106662, -0.029440, 0.010506, 0.025701,
            ],
        ),
    ]
}

fn assert_close(name: &str, got: &[f32], want: &[f32; 8]) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() < 1e-4,
            "{name}: component {i} is {g:+.6}, the reference gives {w:+.6}"
        );
    }
}

#[test]
fn token_ids_and_vectors_match_the_reference() {
    let Some(m) = model() else { return };
    for (name, text, ids, vec8) in cases() {
        let got = m.tokenizer().encode(&text, 512);
        assert_eq!(got, ids, "{name}: token ids of {text:?}");
        let v = m.embed_token_ids(&[&got]).unwrap().remove(0);
        assert_eq!(v.len(), m.dimension());
        assert_close(name, &v[..8], &vec8);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "{name}: norm {norm}");
    }
}

#[test]
fn nfd_and_nfc_give_identical_ids() {
    let Some(m) = model() else { return };
    let nfc: String = VIETNAMESE.nfc().collect();
    let nfd: String = VIETNAMESE.nfd().collect();
    assert_ne!(nfc, nfd, "the NFD form must really differ");
    assert_eq!(
        m.tokenizer().encode(&nfc, 512),
        m.tokenizer().encode(&nfd, 512)
    );
    let v = m.embed(&[&nfc, &nfd], TextKind::Query).unwrap();
    assert_eq!(v[0], v[1]);
}

#[test]
fn long_text_is_embedded_in_windows() {
    let Some(m) = model() else { return };
    let body: Vec<String> = (0..60)
        .map(|i| {
            format!(
                "Claim number {i} says the vaccine trial in city {} was faked.",
                i % 7
            )
        })
        .collect();
    let body = body.join(" ");
    let prefixed = E5::prefixed(&body, TextKind::Passage);
    let all = m.tokenizer().encode(&prefixed, usize::MAX);
    assert_eq!(all.len(), 962 + 2, "pieces of the long text");
    let v = m.embed(&[&body], TextKind::Passage).unwrap().remove(0);
    assert_close(
        "long text",
        &v[..8],
        &[
            0.036848, -0.038920, -0.039469, -0.071604, 0.093111, 0.023635, 0.023655, 0.058237,
        ],
    );
    let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-5, "norm {norm}");
}

#[test]
fn paraphrase_beats_translation_beats_unrelated() {
    let Some(m) = model() else { return };
    let v = m
        .embed(
            &[
                "5G towers spread the coronavirus.",
                "The coronavirus is being spread by 5G masts.",
                "Các trạm phát sóng 5G làm lây lan virus corona.",
                "The city council approved a new budget for public libraries.",
            ],
            TextKind::Query,
        )
        .unwrap();
    let (para, trans, unrelated) = (
        cosine(&v[0], &v[1]),
        cosine(&v[0], &v[2]),
        cosine(&v[0], &v[3]),
    );
    assert!(
        para > trans && trans > unrelated,
        "paraphrase {para:.4}, translation {trans:.4}, unrelated {unrelated:.4}"
    );
    // The reference gives 0.9683, 0.9051 and 0.7851.
    assert!((para - 0.9683).abs() < 1e-3, "paraphrase {para}");
    assert!((trans - 0.9051).abs() < 1e-3, "translation {trans}");
    assert!((unrelated - 0.7851).abs() < 1e-3, "unrelated {unrelated}");
}

#[test]
fn same_text_gives_bit_identical_vectors() {
    let Some(m) = model() else { return };
    let text = "Bill Gates wants to microchip everyone with the COVID-19 vaccine.";
    let long = "A much longer companion text changes how the batch is made up: \
                it is sorted after the first one and padded in other implementations.";
    let one_call = m
        .embed(&[text, "Something else entirely.", text], TextKind::Passage)
        .unwrap();
    assert_eq!(one_call[0], one_call[2], "twice in one call");
    let alone = m.embed(&[text], TextKind::Passage).unwrap();
    assert_eq!(alone[0], one_call[0], "in two calls");
    let mixed = m
        .embed(&[long, text, "short", long], TextKind::Passage)
        .unwrap();
    assert_eq!(mixed[1], alone[0], "in a different batch");
    assert_eq!(mixed[0], mixed[3]);
}

#[test]
fn dequantize_q4_hand_made_block() {
    // Scale 0.5 (f16 0x3800); byte j holds weight j = j (low nibble) and weight j + 16 =
    // 15 - j (high nibble); value = (q - 8) · scale.
    let mut block = vec![0x00u8, 0x38];
    block.extend((0..16u8).map(|j| j | ((15 - j) << 4)));
    assert_eq!(block.len(), Q4_BLOCK_BYTES);
    // A second block with a negative scale (-2.0 = f16 0xC000) and every nibble 0xF.
    block.extend([0x00, 0xC0]);
    block.extend([0xFF; 16]);
    let mut out = vec![f32::NAN; 2 * Q4_BLOCK];
    dequantize_q4(&block, &mut out);
    for j in 0..16 {
        assert_eq!(out[j], (j as f32 - 8.0) * 0.5, "weight {j}");
        assert_eq!(out[j + 16], (7.0 - j as f32) * 0.5, "weight {}", j + 16);
    }
    assert!(out[Q4_BLOCK..].iter().all(|&v| v == -14.0));
}

#[test]
fn truncated_file_is_rejected_with_its_byte_offset() {
    // Magic, version 1, then only 3 of the 7 header dimensions: 20 bytes.
    let mut bytes = b"E5S1".to_vec();
    bytes.extend(1u32.to_le_bytes());
    for d in [384i32, 12, 12] {
        bytes.extend(d.to_le_bytes());
    }
    let err = ModelFile::parse(&bytes).unwrap_err();
    assert!(err.contains("byte 20"), "message: {err}");
    assert!(ModelFile::parse(b"E5S2").unwrap_err().contains("E5S1"));
}

#[test]
fn truncated_model_file_is_rejected() {
    if model().is_none() {
        return;
    }
    let bytes = std::fs::read(model_path()).unwrap();
    let cut = 100_000;
    let err = ModelFile::parse(&bytes[..cut]).unwrap_err();
    assert!(err.contains(&format!("byte {cut}")), "message: {err}");
}
