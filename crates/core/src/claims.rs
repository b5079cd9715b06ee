//! Check-worthiness as the desk keeps it: every sentence of an item scored, the best one
//! named, so the queue can say which items state a fact worth checking.

use serde::{Deserialize, Serialize};

/// One scored sentence of an item (byte offsets into the item's text).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoredSentence {
    /// Byte offset of the sentence's first character.
    pub start: usize,
    /// Byte offset just past its last character.
    pub end: usize,
    /// Its check-worthiness in [0, 1].
    pub score: f32,
}

/// How check-worthy an item is: its sentences scored by the detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckWorthiness {
    /// The best sentence's score in [0, 1] (0 for a text without a sentence).
    pub score: f32,
    /// Every sentence, in text order.
    pub sentences: Vec<ScoredSentence>,
    /// How it was scored: `cues+embedding` (with the model) or `cues`.
    pub scorer: String,
    /// Whether the score reached the match threshold, so the item was matched against the
    /// fact-checks (items below it are stored but not matched).
    pub matched: bool,
}

impl CheckWorthiness {
    /// The best-scoring sentence of `text` (the text this was computed from), if any.
    pub fn best_sentence<'a>(&self, text: &'a str) -> Option<&'a str> {
        let best = self
            .sentences
            .iter()
            .max_by(|a, b| a.score.total_cmp(&b.score).then(b.start.cmp(&a.start)))?;
        text.get(best.start..best.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_sentence_is_the_highest_scored_and_the_first_on_ties() {
        let text = "Hello. Vaccines cause 30% of deaths. Bye.";
        let cw = CheckWorthiness {
            score: 0.9,
            sentences: vec![
                ScoredSentence {
                    start: 0,
                    end: 6,
                    score: 0.1,
                },
                ScoredSentence {
                    start: 7,
                    end: 36,
                    score: 0.9,
                },
                ScoredSentence {
                    start: 37,
                    end: 41,
                    score: 0.9,
                },
            ],
            scorer: "cues".into(),
            matched: true,
        };
        assert_eq!(
            cw.best_sentence(text),
            Some("Vaccines cause 30% of deaths.")
        );
        let none = CheckWorthiness {
            sentences: vec![],
            ..cw
        };
        assert_eq!(none.best_sentence(text), None);
    }
}
