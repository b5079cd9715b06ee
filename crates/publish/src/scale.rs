//! The desk's rating scale: which verdicts it gives, in which words, and which
//! ClaimReview `ratingValue` each carries.
//!
//! Read from `claimdesk.toml`:
//!
//! ```toml
//! [rating_scale]
//! best_rating = 5
//! worst_rating = 1
//! language = "vi"                                  # whose label goes into alternateName
//! false_verdicts = ["false", "mostly_false", "misleading"]
//!
//! [[rating_scale.verdict]]
//! key = "false"
//! value = 1
//! labels = { en = "False", vi = "Sai sự thật" }
//!
//! [[rating_scale.verdict]]
//! key = "unproven"                                 # no value: a label-only verdict
//! labels = { en = "Unproven", vi = "Chưa kiểm chứng" }
//! ```

use std::collections::BTreeMap;

use claimdesk_core::Rating;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// One verdict of a [`RatingScale`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    /// Stable identifier used in configuration and by the desk (`false`, `mostly_true`).
    pub key: String,
    /// The ClaimReview `ratingValue`; `None` for verdicts outside the numeric order
    /// (such as "Unproven"), which are published with their label only.
    #[serde(default)]
    pub value: Option<f64>,
    /// The verdict in words, by language tag (`en`, `vi`).
    pub labels: BTreeMap<String, String>,
}

impl Verdict {
    /// The label in `language`, if the verdict has one.
    pub fn label(&self, language: &str) -> Option<&str> {
        self.labels.get(language).map(String::as_str)
    }
}

/// A configured, ordered list of verdicts with the scale's `bestRating` and `worstRating`.
///
/// Built with [`RatingScale::new`] or deserialized (see the module example); both validate,
/// so every `RatingScale` has distinct keys and labels, values within its bounds, and a
/// label in its [`language`](RatingScale::language) for every verdict.
/// [`RatingScale::default`] is the bilingual English/Vietnamese five-point scale.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "ScaleConfig")]
pub struct RatingScale {
    best: f64,
    worst: f64,
    language: String,
    verdicts: Vec<Verdict>,
    false_verdicts: Vec<String>,
}

/// The configuration form of a [`RatingScale`], before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScaleConfig {
    best_rating: f64,
    worst_rating: f64,
    #[serde(default = "default_language")]
    language: String,
    #[serde(rename = "verdict")]
    verdicts: Vec<Verdict>,
    #[serde(default)]
    false_verdicts: Vec<String>,
}

fn default_language() -> String {
    "en".to_string()
}

impl TryFrom<ScaleConfig> for RatingScale {
    type Error = ScaleError;

    fn try_from(c: ScaleConfig) -> Result<Self, ScaleError> {
        RatingScale::new(
            c.best_rating,
            c.worst_rating,
            &c.language,
            c.verdicts,
            &c.false_verdicts,
        )
    }
}

/// Why a rating scale was refused. Verdicts are named by their one-based position in the
/// list and their key, as they appear in `claimdesk.toml`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScaleError {
    /// The scale lists no verdicts.
    #[error("the rating scale has no verdicts: add at least one [[rating_scale.verdict]]")]
    NoVerdicts,
    /// `best_rating` is not above `worst_rating`, or one is not a finite number.
    #[error("best_rating ({best}) must be a number greater than worst_rating ({worst})")]
    Bounds {
        /// The configured `best_rating`.
        best: f64,
        /// The configured `worst_rating`.
        worst: f64,
    },
    /// The scale's language tag is empty.
    #[error("language is empty: name the language whose labels are published, e.g. \"vi\"")]
    NoLanguage,
    /// A verdict has an empty key.
    #[error("verdict {position} has an empty key: give it one, e.g. key = \"false\"")]
    EmptyKey {
        /// One-based position in the list.
        position: usize,
    },
    /// Two verdicts have the same key (compared without case).
    #[error("verdict {position} (`{key}`) repeats the key of verdict {first}")]
    DuplicateKey {
        /// One-based position of the repeat.
        position: usize,
        /// The key.
        key: String,
        /// One-based position of the first verdict with it.
        first: usize,
    },
    /// A verdict's value is outside `worst_rating..=best_rating` or not finite.
    #[error(
        "verdict {position} (`{key}`) has value {value}, outside worst_rating {worst} to \
         best_rating {best}"
    )]
    ValueOutOfRange {
        /// One-based position in the list.
        position: usize,
        /// The verdict's key.
        key: String,
        /// The value given.
        value: f64,
        /// The scale's `worst_rating`.
        worst: f64,
        /// The scale's `best_rating`.
        best: f64,
    },
    /// A verdict has no label in the scale's language.
    #[error(
        "verdict {position} (`{key}`) has no label in `{language}`, the scale's language: \
         add labels.{language}"
    )]
    MissingLabel {
        /// One-based position in the list.
        position: usize,
        /// The verdict's key.
        key: String,
        /// The scale's language.
        language: String,
    },
    /// A verdict has an empty label.
    #[error("verdict {position} (`{key}`) has an empty label in `{language}`")]
    EmptyLabel {
        /// One-based position in the list.
        position: usize,
        /// The verdict's key.
        key: String,
        /// The language of the empty label.
        language: String,
    },
    /// Two different verdicts share a label, so the label alone could not say which is meant.
    #[error("verdict {position} (`{key}`) has the label \"{label}\" of verdict {first}")]
    DuplicateLabel {
        /// One-based position of the repeat.
        position: usize,
        /// The verdict's key.
        key: String,
        /// The shared label.
        label: String,
        /// One-based position of the first verdict with it.
        first: usize,
    },
    /// `false_verdicts` names a key that is not on the scale.
    #[error("false_verdicts names `{key}`, which is not a verdict of the scale")]
    UnknownFalseVerdict {
        /// The unknown key.
        key: String,
    },
}

/// How keys and labels are compared: NFC, trimmed, without case.
fn fold(s: &str) -> String {
    s.trim().nfc().collect::<String>().to_lowercase()
}

impl RatingScale {
    /// A scale from `worst..=best`, the language whose labels are published, the verdicts in
    /// display order, and the keys of verdicts that count as false besides the worst value.
    pub fn new(
        best: f64,
        worst: f64,
        language: &str,
        verdicts: Vec<Verdict>,
        false_verdicts: &[String],
    ) -> Result<Self, ScaleError> {
        if !(best.is_finite() && worst.is_finite() && best > worst) {
            return Err(ScaleError::Bounds { best, worst });
        }
        let language = language.trim();
        if language.is_empty() {
            return Err(ScaleError::NoLanguage);
        }
        if verdicts.is_empty() {
            return Err(ScaleError::NoVerdicts);
        }
        let mut keys: BTreeMap<String, usize> = BTreeMap::new();
        let mut labels: BTreeMap<String, usize> = BTreeMap::new();
        for (i, v) in verdicts.iter().enumerate() {
            let position = i + 1;
            let key = fold(&v.key);
            if key.is_empty() {
                return Err(ScaleError::EmptyKey { position });
            }
            if let Some(&first) = keys.get(&key) {
                return Err(ScaleError::DuplicateKey {
                    position,
                    key: v.key.clone(),
                    first,
                });
            }
            keys.insert(key, position);
            if let Some(value) = v.value
                && !(value.is_finite() && (worst..=best).contains(&value))
            {
                return Err(ScaleError::ValueOutOfRange {
                    position,
                    key: v.key.clone(),
                    value,
                    worst,
                    best,
                });
            }
            if !v.labels.contains_key(language) {
                return Err(ScaleError::MissingLabel {
                    position,
                    key: v.key.clone(),
                    language: language.to_string(),
                });
            }
            for (lang, label) in &v.labels {
                let folded = fold(label);
                if folded.is_empty() {
                    return Err(ScaleError::EmptyLabel {
                        position,
                        key: v.key.clone(),
                        language: lang.clone(),
                    });
                }
                match labels.get(&folded) {
                    Some(&first) if first != position => {
                        return Err(ScaleError::DuplicateLabel {
                            position,
                            key: v.key.clone(),
                            label: label.clone(),
                            first,
                        });
                    }
                    _ => {
                        labels.insert(folded, position);
                    }
                }
            }
        }
        let mut false_keys = Vec::with_capacity(false_verdicts.len());
        for k in false_verdicts {
            let folded = fold(k);
            if !keys.contains_key(&folded) {
                return Err(ScaleError::UnknownFalseVerdict { key: k.clone() });
            }
            false_keys.push(folded);
        }
        Ok(RatingScale {
            best,
            worst,
            language: language.to_string(),
            verdicts,
            false_verdicts: false_keys,
        })
    }

    /// `bestRating`: the value that means "true".
    pub fn best(&self) -> f64 {
        self.best
    }

    /// `worstRating`: the value that means "false".
    pub fn worst(&self) -> f64 {
        self.worst
    }

    /// The language whose labels [`rating`](Self::rating) publishes.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// The verdicts, in the configured order.
    pub fn verdicts(&self) -> &[Verdict] {
        &self.verdicts
    }

    /// The verdict with this key, or with this label in any language (compared without
    /// case, surrounding space, or Unicode composition differences).
    pub fn verdict(&self, key_or_label: &str) -> Option<&Verdict> {
        let wanted = fold(key_or_label);
        self.verdicts
            .iter()
            .find(|v| fold(&v.key) == wanted)
            .or_else(|| {
                self.verdicts
                    .iter()
                    .find(|v| v.labels.values().any(|l| fold(l) == wanted))
            })
    }

    /// The ClaimReview rating for a verdict (by key or label), labelled in the scale's
    /// language.
    pub fn rating(&self, key_or_label: &str) -> Option<Rating> {
        self.rating_in(key_or_label, &self.language)
    }

    /// The ClaimReview rating for a verdict, labelled in `language` when the verdict has a
    /// label in it, else in the scale's language.
    pub fn rating_in(&self, key_or_label: &str, language: &str) -> Option<Rating> {
        let v = self.verdict(key_or_label)?;
        let label = v.label(language).or_else(|| v.label(&self.language));
        Some(Rating {
            value: v.value,
            best: Some(self.best),
            worst: Some(self.worst),
            label: label.map(str::to_string),
        })
    }

    /// Whether a verdict (by key or label) means "false": its value is the worst, or its
    /// key is one of the configured false verdicts.
    pub fn is_false_verdict(&self, key_or_label: &str) -> bool {
        self.verdict(key_or_label)
            .is_some_and(|v| self.verdict_is_false(v))
    }

    /// Whether a rating means "false": its value equals its own `worstRating` (the scale's
    /// when it has none), or its label names a false verdict of this scale.
    pub fn is_false(&self, rating: &Rating) -> bool {
        let worst = rating.worst.unwrap_or(self.worst);
        rating.value == Some(worst)
            || rating
                .label
                .as_deref()
                .is_some_and(|l| self.is_false_verdict(l))
    }

    fn verdict_is_false(&self, v: &Verdict) -> bool {
        v.value == Some(self.worst) || self.false_verdicts.contains(&fold(&v.key))
    }
}

impl Default for RatingScale {
    /// The five-point scale from "False" (1) to "True" (5) in English and Vietnamese, with
    /// "Misleading" at 2 (beside "Mostly false": true parts arranged to deceive) and
    /// "Unproven" with no value (no evidence either way is not a point between false and
    /// true). Labels are published in English; "mostly false" and "misleading" count as
    /// false besides "false" itself.
    fn default() -> Self {
        let v = |key: &str, value: Option<f64>, en: &str, vi: &str| Verdict {
            key: key.to_string(),
            value,
            labels: BTreeMap::from([
                ("en".to_string(), en.to_string()),
                ("vi".to_string(), vi.to_string()),
            ]),
        };
        let verdicts = vec![
            v("false", Some(1.0), "False", "Sai sự thật"),
            v("mostly_false", Some(2.0), "Mostly false", "Phần lớn sai"),
            v("mixed", Some(3.0), "Mixed", "Nửa đúng nửa sai"),
            v("mostly_true", Some(4.0), "Mostly true", "Phần lớn đúng"),
            v("true", Some(5.0), "True", "Đúng"),
            v("misleading", Some(2.0), "Misleading", "Gây hiểu lầm"),
            v("unproven", None, "Unproven", "Chưa kiểm chứng"),
        ];
        let false_verdicts = ["false", "mostly_false", "misleading"].map(String::from);
        RatingScale::new(5.0, 1.0, "en", verdicts, &false_verdicts)
            .expect("the default scale is valid")
    }
}
