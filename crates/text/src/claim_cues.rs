//! Hand-written cues that a sentence states a checkable fact, in Vietnamese and English:
//! numbers and percentages, named institutions (`Bộ Y tế`, `WHO`), attribution (`theo ...`,
//! `according to`), causation (`gây ra`, `causes`), superlatives, dates, changes; and cues
//! that it does not: greetings, thanks, opinions, questions.
//!
//! The check-worthiness model learns the cues' weights on English tweets; because each cue
//! has its Vietnamese words too, the same weights score Vietnamese text sensibly.

use std::sync::OnceLock;

use crate::normalize::normalize;

/// Names of the cues, in the order of [`ClaimCues::values`].
pub const CUE_NAMES: [&str; 22] = [
    "number",
    "percentage",
    "large_quantity",
    "institution",
    "attribution",
    "causation",
    "superlative",
    "date",
    "change",
    "outcome",
    "opinion",
    "greeting",
    "imperative",
    "question",
    "exclamation",
    "link",
    "mention",
    "hashtag",
    "length",
    "capitalized",
    "first_person",
    "second_person",
];

/// The direction each cue may push the score, as the cue was written: +1 toward a
/// check-worthy claim (numbers, institutions, attribution, causation...), -1 away from it
/// (opinions, greetings, calls to act, questions, exclamations), 0 learned freely (form:
/// links, mentions, hashtags, length, capitals, persons). A model may only give a cue a
/// weight of its sign, or none, so a cue never turns against what it stands for.
pub const CUE_SIGNS: [i8; NUM_CUES] = [
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0,
];

/// Number of cues.
pub const NUM_CUES: usize = CUE_NAMES.len();

/// Phrase lists by cue (index into [`CUE_NAMES`]); matched on whole words of the normalized
/// text, so `bộ y tế` matches `Bộ Y tế` and `BỘ Y TẾ`.
const PHRASES: &[(usize, &[&str])] = &[
    (
        2,
        &[
            "million",
            "millions",
            "billion",
            "billions",
            "thousand",
            "thousands",
            "hundreds",
            "dozens",
            "trillion",
            "triệu",
            "tỷ",
            "tỉ",
            "nghìn",
            "ngàn",
            "hàng trăm",
            "hàng nghìn",
            "hàng ngàn",
            "hàng triệu",
            "hàng chục",
        ],
    ),
    (
        3,
        &[
            "bộ y tế",
            "bộ công an",
            "bộ tài chính",
            "bộ giáo dục",
            "bộ quốc phòng",
            "bộ ngoại giao",
            "bộ thông tin",
            "chính phủ",
            "thủ tướng",
            "quốc hội",
            "ủy ban",
            "uỷ ban",
            "sở y tế",
            "bệnh viện",
            "viện",
            "đại học",
            "công an",
            "tòa án",
            "toà án",
            "viện kiểm sát",
            "ngân hàng nhà nước",
            "tổng cục",
            "cục",
            "tổ chức y tế thế giới",
            "liên hợp quốc",
            "nhà trắng",
            "trung tâm kiểm soát",
            "ministry",
            "minister",
            "department",
            "government",
            "governor",
            "president",
            "congress",
            "senate",
            "parliament",
            "court",
            "police",
            "hospital",
            "hospitals",
            "university",
            "institute",
            "agency",
            "administration",
            "commission",
            "council",
            "organization",
            "organisation",
            "white house",
            "pentagon",
            "world health organization",
            "united nations",
            "health officials",
            "authorities",
            "state department",
            "federal",
            "national",
            "bureau",
        ],
    ),
    (
        4,
        &[
            "according to",
            "theo",
            "said",
            "says",
            "say",
            "told",
            "reported",
            "reports",
            "report",
            "announced",
            "announces",
            "confirmed",
            "confirms",
            "stated",
            "states that",
            "cho biết",
            "cho hay",
            "khẳng định",
            "tuyên bố",
            "xác nhận",
            "công bố",
            "thông báo",
            "báo cáo",
            "study",
            "studies",
            "research",
            "researchers",
            "nghiên cứu",
            "data",
            "số liệu",
            "thống kê",
            "statistics",
            "survey",
            "khảo sát",
            "officials",
            "quan chức",
            "experts",
            "chuyên gia",
            "scientists",
            "nhà khoa học",
            "evidence",
            "bằng chứng",
        ],
    ),
    (
        5,
        &[
            "cause",
            "causes",
            "caused",
            "causing",
            "gây ra",
            "gây",
            "dẫn đến",
            "dẫn tới",
            "lead to",
            "leads to",
            "led to",
            "because",
            "bởi vì",
            "vì vậy",
            "do đó",
            "result in",
            "results in",
            "resulted in",
            "khiến",
            "làm cho",
            "cure",
            "cures",
            "cured",
            "chữa",
            "chữa khỏi",
            "prevent",
            "prevents",
            "ngăn ngừa",
            "phòng ngừa",
            "kill",
            "kills",
            "killed",
            "spread",
            "spreads",
            "spreading",
            "lây",
            "lây lan",
            "lây nhiễm",
            "linked to",
            "liên quan đến",
            "protects",
            "bảo vệ",
            "effective",
            "hiệu quả",
        ],
    ),
    (
        6,
        &[
            "most",
            "least",
            "largest",
            "biggest",
            "highest",
            "lowest",
            "worst",
            "best",
            "first",
            "record",
            "fastest",
            "greatest",
            "only",
            "nhất",
            "kỷ lục",
            "kỉ lục",
            "đầu tiên",
            "duy nhất",
            "never before",
            "chưa từng",
        ],
    ),
    (
        7,
        &[
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "yesterday",
            "today",
            "tonight",
            "tomorrow",
            "last week",
            "this week",
            "tháng",
            "hôm qua",
            "hôm nay",
            "ngày mai",
            "tuần trước",
            "tuần này",
            "năm ngoái",
            "năm nay",
            "sáng nay",
            "tối qua",
            "thứ hai",
            "thứ ba",
            "thứ tư",
            "thứ năm",
            "thứ sáu",
            "thứ bảy",
            "chủ nhật",
        ],
    ),
    (
        8,
        &[
            "increase",
            "increased",
            "increases",
            "decrease",
            "decreased",
            "rise",
            "rises",
            "rose",
            "risen",
            "fell",
            "fall",
            "falls",
            "drop",
            "dropped",
            "doubled",
            "tripled",
            "surge",
            "surged",
            "jump",
            "jumped",
            "more than",
            "less than",
            "fewer than",
            "nearly",
            "almost",
            "at least",
            "up to",
            "over",
            "tăng",
            "giảm",
            "gấp",
            "hơn",
            "gần",
            "khoảng",
            "ít nhất",
            "lên đến",
            "lên tới",
            "vượt",
        ],
    ),
    (
        9,
        &[
            "cases",
            "case",
            "deaths",
            "death",
            "died",
            "dead",
            "infected",
            "infections",
            "patients",
            "tested",
            "positive",
            "hospitalized",
            "confirmed cases",
            "victims",
            "ca nhiễm",
            "ca mắc",
            "ca bệnh",
            "nhiễm",
            "tử vong",
            "chết",
            "bệnh nhân",
            "dương tính",
            "mắc",
            "nạn nhân",
        ],
    ),
    (
        10,
        &[
            "i think",
            "i believe",
            "i feel",
            "in my opinion",
            "imo",
            "i hope",
            "hope",
            "pray",
            "praying",
            "prayers",
            "love",
            "lol",
            "lmao",
            "wow",
            "omg",
            "amazing",
            "sad",
            "tôi nghĩ",
            "mình nghĩ",
            "theo tôi",
            "hy vọng",
            "hi vọng",
            "cầu nguyện",
            "yêu",
            "mong",
            "buồn",
            "tuyệt vời",
        ],
    ),
    (
        11,
        &[
            "good morning",
            "good night",
            "good evening",
            "hello",
            "hi",
            "thanks",
            "thank you",
            "congratulations",
            "congrats",
            "happy",
            "welcome",
            "chào",
            "xin chào",
            "chúc",
            "cảm ơn",
            "cám ơn",
            "chúc mừng",
        ],
    ),
    (
        12,
        &[
            "please",
            "let's",
            "let us",
            "stay home",
            "stay safe",
            "wash your",
            "join",
            "watch",
            "click",
            "share",
            "follow",
            "hãy",
            "đừng",
            "vui lòng",
            "xin hãy",
            "chia sẻ",
        ],
    ),
    (
        20,
        &[
            "i",
            "me",
            "my",
            "we",
            "our",
            "us",
            "i'm",
            "tôi",
            "mình",
            "chúng tôi",
            "chúng ta",
            "tao",
            "tớ",
        ],
    ),
    (21, &["you", "your", "you're", "bạn", "các bạn", "mày"]),
];

/// The cues of one text.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimCues {
    values: [f32; NUM_CUES],
}

impl ClaimCues {
    /// Measures the cues of `text` (any language; Vietnamese and English have word lists).
    pub fn of(text: &str) -> ClaimCues {
        let mut v = [0f32; NUM_CUES];
        let normalized = normalize(text);
        let words = plain_words(&normalized);
        let mut counts = [0u32; NUM_CUES];
        for (cue, phrases) in phrase_table() {
            for phrase in phrases {
                counts[*cue] += count_phrase(&words, phrase);
            }
        }
        let mut numbers = 0u32;
        let mut dates = 0u32;
        let mut links = 0u32;
        let mut mentions = 0u32;
        let mut hashtags = 0u32;
        let mut acronyms = 0u32;
        let mut capitalized = 0u32;
        let mut word_count = 0u32;
        let mut sentence_start = true;
        for raw in text.split_whitespace() {
            word_count += 1;
            if crate::links::is_link(raw) {
                links += 1;
                continue;
            }
            if raw.starts_with('@') {
                mentions += 1;
                continue;
            }
            if raw.starts_with('#') {
                hashtags += 1;
            }
            let core = raw.trim_matches(|c: char| !c.is_alphanumeric());
            if core.chars().any(|c| c.is_ascii_digit()) {
                let digits: String = core.chars().filter(|c| c.is_ascii_digit()).collect();
                let is_year = digits.len() == 4
                    && digits == core
                    && digits
                        .parse::<u32>()
                        .is_ok_and(|y| (1900..2100).contains(&y));
                let is_day = core.contains('/') && core.split('/').count() >= 2;
                if is_year || is_day {
                    dates += 1;
                } else {
                    numbers += 1;
                }
            }
            let letters: Vec<char> = core.chars().filter(|c| c.is_alphabetic()).collect();
            if (2..=6).contains(&letters.len())
                && letters.iter().all(|c| c.is_uppercase())
                && core.chars().all(|c| c.is_alphanumeric())
                && !matches!(core, "OK" | "LOL" | "OMG" | "RT" | "TV")
            {
                acronyms += 1;
            } else if !sentence_start && core.chars().next().is_some_and(char::is_uppercase) {
                capitalized += 1;
            }
            sentence_start = raw.ends_with(['.', '!', '?', ':']);
        }
        let ln = |n: u32| (1.0 + n as f32).ln();
        v[0] = ln(numbers);
        v[1] = ln(text.matches('%').count() as u32
            + count_phrase(&words, &["percent"])
            + count_phrase(&words, &["per", "cent"])
            + count_phrase(&words, &["phần", "trăm"]));
        v[2] = ln(counts[2]);
        v[3] = ln(counts[3] + acronyms);
        for cue in [4, 5, 6, 8, 9, 10, 11, 12] {
            v[cue] = ln(counts[cue]);
        }
        v[7] = ln(counts[7] + dates);
        v[13] = f32::from(u8::from(text.contains('?')));
        v[14] = ln(text.matches('!').count() as u32);
        v[15] = ln(links);
        v[16] = ln(mentions);
        v[17] = ln(hashtags);
        v[18] = ln(word_count);
        v[19] = ln(capitalized);
        v[20] = ln(counts[20]);
        v[21] = ln(counts[21]);
        ClaimCues { values: v }
    }

    /// The cue values, in the order of [`CUE_NAMES`] (log-scaled counts, 0 when absent).
    pub fn values(&self) -> &[f32; NUM_CUES] {
        &self.values
    }

    /// Names of the cues present in the text, except the ones every text has (length).
    pub fn present(&self) -> Vec<&'static str> {
        CUE_NAMES
            .iter()
            .zip(&self.values)
            .filter(|(name, v)| **v > 0.0 && **name != "length")
            .map(|(name, _)| *name)
            .collect()
    }
}

/// The phrase lists, each phrase normalized and split into words once.
fn phrase_table() -> &'static [(usize, Vec<Vec<String>>)] {
    static TABLE: OnceLock<Vec<(usize, Vec<Vec<String>>)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        PHRASES
            .iter()
            .map(|(cue, phrases)| {
                let split = phrases.iter().map(|p| plain_words(&normalize(p))).collect();
                (*cue, split)
            })
            .collect()
    })
}

/// Words of normalized text: runs of letters, digits and apostrophes.
fn plain_words(normalized: &str) -> Vec<String> {
    normalized
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
        .map(|w| w.replace('’', "'"))
        .collect()
}

/// How often the word sequence `phrase` occurs in `words`.
fn count_phrase<S: AsRef<str>>(words: &[String], phrase: &[S]) -> u32 {
    if phrase.is_empty() || phrase.len() > words.len() {
        return 0;
    }
    words
        .windows(phrase.len())
        .filter(|w| w.iter().zip(phrase).all(|(a, b)| a == b.as_ref()))
        .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(text: &str, name: &str) -> f32 {
        let i = CUE_NAMES.iter().position(|n| *n == name).unwrap();
        ClaimCues::of(text).values()[i]
    }

    #[test]
    fn vietnamese_cues_are_found() {
        let text = "Theo Bộ Y tế, số ca nhiễm tăng 35% trong tháng 3, cao nhất từ trước đến nay.";
        for name in [
            "attribution",
            "institution",
            "percentage",
            "outcome",
            "change",
            "date",
            "superlative",
            "number",
        ] {
            assert!(cue(text, name) > 0.0, "{name}");
        }
        assert!(cue("Vắc xin gây ra vô sinh", "causation") > 0.0);
        assert_eq!(cue(text, "greeting"), 0.0);
    }

    #[test]
    fn english_cues_are_found() {
        let text = "According to the WHO, 5G causes 3 million infections since March 2020.";
        for name in [
            "attribution",
            "institution",
            "causation",
            "large_quantity",
            "date",
            "number",
        ] {
            assert!(cue(text, name) > 0.0, "{name}");
        }
        assert!(cue("Good morning everyone!", "greeting") > 0.0);
        assert!(cue("Is this true?", "question") > 0.0);
    }
}
