//! Why a fact-check matched a text: the one definition of the match explanation. The
//! matcher writes it, the store keeps it (as JSON, with `confident` also in a column of its
//! own), the monitor's alert rules and the desk's pages and API read it; every one of them
//! names these types, never a JSON path.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// Why a fact-check matched: the score of each retriever and, when asked for, the terms;
/// with the model, the reranker's features and the verifier's judgment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Explanation {
    /// Sum of the weighted BM25 scores of all fields.
    pub lexical: f32,
    /// SimHash distance to the query when within the near-duplicate limit.
    pub near_duplicate_distance: Option<u32>,
    /// What the near-duplicate signal added to the score.
    pub near_duplicate: f32,
    /// The query terms found in the fact-check, by field, best contribution first (empty
    /// unless explanations were requested).
    pub terms: Vec<TermHit>,
    /// Cosine similarity of the sentence embeddings, when dense retrieval ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cosine: Option<f32>,
    /// The retrievers that proposed this fact-check (`lexical`, `near-duplicate`, `dense`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub retrievers: Vec<Cow<'static, str>>,
    /// The reranker's features that moved the score most, largest effect first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<FeatureEffect>,
    /// True when this is the top match and the verifier's probability reaches the
    /// calibrated "confident" threshold for the language pair: the desk may link it without
    /// asking.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub confident: bool,
    /// The match verifier's probability that this fact-check answers the text (the same at
    /// any pool size), when the model ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability: Option<f32>,
    /// Confident, a suggestion, or only the nearest fact-check, when the model ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strength: Option<Strength>,
    /// What the pair shows, strongest first, as codes the desk words in its language.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<Signal>,
}

impl Explanation {
    /// The verifier found this is only the nearest fact-check, not a match.
    pub fn is_nearest(&self) -> bool {
        self.strength == Some(Strength::Nearest)
    }
}

/// How one reranker feature moved a match's score.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct FeatureEffect {
    /// The feature's name (`cosine`, `term_overlap`, ...).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub name: Cow<'static, str>,
    /// Its value for this match.
    pub value: f32,
    /// What it added to the log-odds (negative: it argued against the match).
    pub effect: f32,
}

/// One query term found in one field of a fact-check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TermHit {
    /// The index term (`vaccin`, `điện`, `dien_bien`).
    pub term: String,
    /// The field it was found in.
    pub field: MatchField,
    /// Its weighted BM25 contribution.
    pub score: f32,
}

/// The searchable fields of a fact-check, in the order the scorer weights them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MatchField {
    /// The claim, exact form.
    ClaimExact,
    /// The headline, exact form.
    HeadlineExact,
    /// The claim, diacritics folded.
    ClaimFolded,
    /// The headline, diacritics folded.
    HeadlineFolded,
    /// Folded bigrams of claim and headline.
    Bigrams,
}

impl MatchField {
    /// Every field, in scoring order.
    pub const ALL: [MatchField; 5] = [
        MatchField::ClaimExact,
        MatchField::HeadlineExact,
        MatchField::ClaimFolded,
        MatchField::HeadlineFolded,
        MatchField::Bigrams,
    ];

    /// The stable name (`claim_exact`, `bigrams`, …), as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchField::ClaimExact => "claim_exact",
            MatchField::HeadlineExact => "headline_exact",
            MatchField::ClaimFolded => "claim_folded",
            MatchField::HeadlineFolded => "headline_folded",
            MatchField::Bigrams => "bigrams",
        }
    }
}

/// How strongly a ranked fact-check answers the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// Nothing above the suggestion threshold: the nearest fact-check, not a match.
    Nearest,
    /// Above the suggestion threshold: worth a person's look.
    Suggestion,
    /// The top match, above the confident threshold: safe to link.
    Confident,
}

impl Strength {
    /// The stable name (`nearest`, `suggestion`, `confident`).
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::Nearest => "nearest",
            Strength::Suggestion => "suggestion",
            Strength::Confident => "confident",
        }
    }
}

/// One thing a (post, fact-check) pair shows, as an editor would say it; the desk words it
/// in its language (the catalog key is `signal.` + [`Signal::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// The meaning is close although the words differ ("says the same thing in other words").
    SameMeaning,
    /// Much of the wording is shared.
    SameWords,
    /// Nearly the same text, copied.
    NearCopy,
    /// The numbers in the post are the fact-check's.
    SameNumbers,
    /// Both give numbers, and none of them agree.
    DifferentNumbers,
    /// They name the same people, places or bodies.
    SharedNames,
    /// They give the same year.
    SameYear,
    /// They give different years.
    DifferentYear,
    /// The meaning is not close.
    DifferentMeaning,
    /// The post covers only part of the fact-check's claim.
    PartialClaim,
}

impl Signal {
    /// The stable code (`same_meaning`, `different_year`, …), as serialized.
    pub fn code(self) -> &'static str {
        match self {
            Signal::SameMeaning => "same_meaning",
            Signal::SameWords => "same_words",
            Signal::NearCopy => "near_copy",
            Signal::SameNumbers => "same_numbers",
            Signal::DifferentNumbers => "different_numbers",
            Signal::SharedNames => "shared_names",
            Signal::SameYear => "same_year",
            Signal::DifferentYear => "different_year",
            Signal::DifferentMeaning => "different_meaning",
            Signal::PartialClaim => "partial_claim",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explanation_survives_its_json_and_names_match_the_serialized_form() {
        let e = Explanation {
            lexical: 3.5,
            near_duplicate_distance: Some(2),
            near_duplicate: 1.0,
            terms: vec![TermHit {
                term: "điện".into(),
                field: MatchField::ClaimFolded,
                score: 1.25,
            }],
            cosine: Some(0.91),
            retrievers: vec!["lexical".into(), "dense".into()],
            features: vec![FeatureEffect {
                name: "cosine".into(),
                value: 0.91,
                effect: 2.0,
            }],
            confident: true,
            probability: Some(0.97),
            strength: Some(Strength::Confident),
            signals: vec![Signal::SameMeaning, Signal::DifferentYear],
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["terms"][0]["field"], MatchField::ClaimFolded.as_str());
        assert_eq!(json["strength"], Strength::Confident.as_str());
        assert_eq!(json["signals"][1], Signal::DifferentYear.code());
        assert_eq!(serde_json::from_value::<Explanation>(json).unwrap(), e);
    }

    #[test]
    fn a_lexical_explanation_reads_back_with_empty_model_fields() {
        let e: Explanation =
            serde_json::from_str(r#"{"lexical":1.5,"near_duplicate":0.0,"terms":[]}"#).unwrap();
        assert_eq!(e.lexical, 1.5);
        assert!(!e.confident && e.strength.is_none() && e.signals.is_empty());
        assert!(serde_json::from_str::<Explanation>(r#"{"strength":"sure"}"#).is_err());
    }
}
