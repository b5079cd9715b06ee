//! A digest: a period's briefing with the verdicts the desk published in it, written for a
//! reader on a phone (HTML, one column, inline SVG charts) or in a mail client or a chat
//! (Markdown), in Vietnamese or English. The words are this module's own small catalog, so
//! the digest reads the same wherever it is made (the CLI, the scheduled job).

use std::fmt::Write;

use serde::Serialize;

use super::{Briefing, Chart, ChartKind, Count};

/// A language a digest is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DigestLang {
    /// Vietnamese.
    Vi,
    /// English.
    En,
}

impl std::str::FromStr for DigestLang {
    type Err = String;

    fn from_str(s: &str) -> Result<DigestLang, String> {
        DigestLang::parse(s).ok_or_else(|| format!("unknown language `{s}` (expected vi or en)"))
    }
}

impl DigestLang {
    /// The language named `code` (`vi` or `en`).
    pub fn parse(code: &str) -> Option<DigestLang> {
        match code {
            "vi" => Some(DigestLang::Vi),
            "en" => Some(DigestLang::En),
            _ => None,
        }
    }

    /// `vi` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            DigestLang::Vi => "vi",
            DigestLang::En => "en",
        }
    }
}

/// A verdict the desk published in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestVerdict {
    /// The claim reviewed.
    pub claim: String,
    /// The rating label.
    pub rating: Option<String>,
    /// Who wrote it (the organization, or the desk member's name).
    pub author: Option<String>,
    /// The public page of the verdict.
    pub link: String,
    /// How many evidence links it cites.
    pub evidence: usize,
    /// When it was published (local date).
    pub published: String,
}

/// Everything a digest shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Digest {
    /// The desk's name, as the heading says.
    pub desk: String,
    /// The language it is written in.
    pub lang: DigestLang,
    /// `week`, `month` or `period` (a run of days), for the title.
    pub period: String,
    /// The desk's base URL, for links to narratives (`{base}/narratives/{id}`).
    pub base_url: String,
    /// The period's figures.
    pub briefing: Briefing,
    /// The verdicts published in the period, newest first.
    pub verdicts: Vec<DigestVerdict>,
}

/// The digest's words in `lang`.
fn word(lang: DigestLang, key: &str) -> &'static str {
    let (vi, en) = match key {
        "week" => ("Bản tin tuần", "Weekly briefing"),
        "month" => ("Bản tin tháng", "Monthly briefing"),
        "period" => ("Bản tin", "Briefing"),
        "range" => ("Từ {from} đến {to}", "From {from} to {to}"),
        "verdicts" => ("Kết luận đã công bố", "Verdicts published"),
        "no_verdicts" => (
            "Không có kết luận nào trong giai đoạn này.",
            "No verdict in this period.",
        ),
        "evidence" => ("nguồn dẫn chứng", "evidence links"),
        "by" => ("bởi", "by"),
        "came_back" => ("Thông tin lặp lại nhiều nhất", "Claims that came back most"),
        "items" => ("bài đăng", "items"),
        "narratives" => (
            "Câu chuyện mới và đợt lan truyền",
            "New narratives and bursts",
        ),
        "new_narratives" => ("Câu chuyện mới", "New narratives"),
        "bursts" => ("Đợt sao chép hàng loạt", "Copy-paste bursts"),
        "work" => ("Công việc của tòa soạn", "The desk's work"),
        "items_in" => ("Bài đăng nhận vào", "Items in"),
        "check_worthy" => ("Đáng kiểm chứng", "Check-worthy"),
        "cases_opened" => ("Hồ sơ đã mở", "Cases opened"),
        "verdicts_published" => ("Kết luận đã công bố", "Verdicts published"),
        "median" => (
            "Từ phân loại đến công bố (trung vị)",
            "Triage to publication (median)",
        ),
        "p90" => (
            "Từ phân loại đến công bố (bách phân vị 90)",
            "Triage to publication (90th percentile)",
        ),
        "hours" => ("giờ", "h"),
        "backlog" => ("Hồ sơ còn mở", "Open cases"),
        "charts" => ("Biểu đồ", "Charts"),
        "items_over_time" => ("Bài đăng nhận vào theo thời gian", "Items in over time"),
        "items_over_time_desc" => (
            "Số bài đăng nhận vào mỗi ngày (hoặc mỗi tháng) trong giai đoạn.",
            "How many items came in on each day (or month) of the period.",
        ),
        "verdicts_by_rating" => ("Kết luận theo mức đánh giá", "Verdicts by rating"),
        "verdicts_by_rating_desc" => (
            "Các kết luận công bố trong giai đoạn, theo mức đánh giá.",
            "The verdicts published in the period, by rating.",
        ),
        "day" => ("Ngày", "Day"),
        "count" => ("Số lượng", "Count"),
        "rating" => ("Mức đánh giá", "Rating"),
        "none" => ("Không có.", "None."),
        _ => ("", ""),
    };
    match lang {
        DigestLang::Vi => vi,
        DigestLang::En => en,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Only http(s) links are linked.
fn safe_link(url: &str) -> Option<&str> {
    claimdesk_core::web_url(url)
}

impl Digest {
    /// The title: "Weekly briefing — DESK".
    pub fn title(&self) -> String {
        let kind = match self.period.as_str() {
            "week" => "week",
            "month" => "month",
            _ => "period",
        };
        format!("{} — {}", word(self.lang, kind), self.desk)
    }

    /// "From FROM to TO" in the digest's language.
    pub fn range(&self) -> String {
        word(self.lang, "range")
            .replace("{from}", &self.briefing.from)
            .replace("{to}", &self.briefing.to)
    }

    /// The mail subject: the title and the period.
    pub fn subject(&self) -> String {
        format!("{} ({})", self.title(), self.range())
    }

    fn key_figures(&self) -> Vec<(&'static str, String)> {
        let b = &self.briefing;
        let l = self.lang;
        let mut rows = vec![
            (word(l, "items_in"), b.intake.items.to_string()),
            (
                word(l, "check_worthy"),
                format!("{:.1}%", b.intake.check_worthy.share * 100.0),
            ),
            (word(l, "new_narratives"), b.narratives.new.to_string()),
            (word(l, "bursts"), b.narratives.bursts.to_string()),
            (word(l, "cases_opened"), b.work.cases_opened.to_string()),
            (word(l, "verdicts_published"), b.work.verdicts.to_string()),
        ];
        if let Some(d) = b.work.triage_to_publication {
            rows.push((
                word(l, "median"),
                format!("{:.1} {}", d.median_hours, word(l, "hours")),
            ));
            rows.push((
                word(l, "p90"),
                format!("{:.1} {}", d.p90_hours, word(l, "hours")),
            ));
        }
        let backlog: u64 = b.work.backlog_by_status.iter().map(|c| c.count).sum();
        rows.push((word(l, "backlog"), backlog.to_string()));
        rows
    }

    /// The charts a digest carries.
    pub fn charts(&self) -> Vec<Chart> {
        let b = &self.briefing;
        let l = self.lang;
        let by = |counts: &[Count]| -> (Vec<String>, Vec<u64>) {
            (
                counts.iter().map(|c| c.key.clone()).collect(),
                counts.iter().map(|c| c.count).collect(),
            )
        };
        let (labels, values) = by(&b.work.verdicts_by_rating);
        vec![
            Chart {
                id: "items_over_time".into(),
                title: word(l, "items_over_time").into(),
                description: word(l, "items_over_time_desc").into(),
                label_header: word(l, "day").into(),
                value_header: word(l, "count").into(),
                labels: b.buckets.clone(),
                values: b.intake.items_over_time.clone(),
                kind: ChartKind::Columns,
            },
            Chart {
                id: "verdicts_by_rating".into(),
                title: word(l, "verdicts_by_rating").into(),
                description: word(l, "verdicts_by_rating_desc").into(),
                label_header: word(l, "rating").into(),
                value_header: word(l, "count").into(),
                labels,
                values,
                kind: ChartKind::Bars,
            },
        ]
    }

    /// The digest as Markdown.
    pub fn markdown(&self) -> String {
        let l = self.lang;
        let b = &self.briefing;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# {}\n\n{} ({})\n",
            self.title(),
            self.range(),
            b.time_zone
        );
        let _ = writeln!(out, "## {}\n", word(l, "verdicts"));
        if self.verdicts.is_empty() {
            let _ = writeln!(out, "{}\n", word(l, "no_verdicts"));
        }
        for v in &self.verdicts {
            let _ = writeln!(
                out,
                "- **{}** — [{}]({}){} · {} · {} {}",
                v.rating.as_deref().unwrap_or("—"),
                v.claim.replace(['[', ']'], ""),
                v.link,
                v.author
                    .as_deref()
                    .map(|a| format!(" {} {a}", word(l, "by")))
                    .unwrap_or_default(),
                v.published,
                v.evidence,
                word(l, "evidence"),
            );
        }
        let _ = writeln!(out, "\n## {}\n", word(l, "came_back"));
        if b.intake.top_fact_checks.is_empty() {
            let _ = writeln!(out, "{}", word(l, "none"));
        }
        for f in &b.intake.top_fact_checks {
            let _ = writeln!(
                out,
                "- {} ({}) — {} {}",
                f.claim,
                f.rating.as_deref().unwrap_or("—"),
                f.items,
                word(l, "items")
            );
        }
        let _ = writeln!(out, "\n## {}\n", word(l, "narratives"));
        let _ = writeln!(
            out,
            "{}: {} · {}: {}\n",
            word(l, "new_narratives"),
            b.narratives.new,
            word(l, "bursts"),
            b.narratives.bursts
        );
        for n in &b.narratives.fastest_growing {
            let _ = writeln!(
                out,
                "- [{}]({}/narratives/{}) — {} {}",
                n.text
                    .chars()
                    .take(140)
                    .collect::<String>()
                    .replace(['[', ']'], ""),
                self.base_url,
                n.id,
                n.items_in_period,
                word(l, "items")
            );
        }
        let _ = writeln!(out, "\n## {}\n", word(l, "work"));
        for (label, value) in self.key_figures() {
            let _ = writeln!(out, "- {label}: {value}");
        }
        out
    }

    /// The digest as one HTML page: one column that fits a phone, charts as inline SVG with
    /// their numbers as tables, styles in a `<style>` element (a mail or a file, not a desk
    /// page: no CSP applies there), nothing loaded from elsewhere.
    pub fn html(&self) -> String {
        let l = self.lang;
        let b = &self.briefing;
        let mut out = String::new();
        let _ = write!(
            out,
            "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{}</title><style>{}</style></head><body><main>",
            l.code(),
            escape(&self.title()),
            STYLE
        );
        let _ = write!(
            out,
            "<h1>{}</h1><p class=\"meta\">{} ({})</p>",
            escape(&self.title()),
            escape(&self.range()),
            escape(&b.time_zone)
        );
        let _ = write!(out, "<h2>{}</h2>", word(l, "verdicts"));
        if self.verdicts.is_empty() {
            let _ = write!(out, "<p>{}</p>", word(l, "no_verdicts"));
        } else {
            out.push_str("<ul class=\"verdicts\">");
            for v in &self.verdicts {
                let claim = match safe_link(&v.link) {
                    Some(href) => format!("<a href=\"{}\">{}</a>", escape(href), escape(&v.claim)),
                    None => escape(&v.claim),
                };
                let _ = write!(
                    out,
                    "<li><strong class=\"rating\">{}</strong> {claim}<br><small>{}{} · {} {}</small></li>",
                    escape(v.rating.as_deref().unwrap_or("—")),
                    v.author
                        .as_deref()
                        .map(|a| format!("{} {} · ", word(l, "by"), escape(a)))
                        .unwrap_or_default(),
                    escape(&v.published),
                    v.evidence,
                    word(l, "evidence"),
                );
            }
            out.push_str("</ul>");
        }
        let _ = write!(out, "<h2>{}</h2>", word(l, "came_back"));
        if b.intake.top_fact_checks.is_empty() {
            let _ = write!(out, "<p>{}</p>", word(l, "none"));
        } else {
            out.push_str("<ol>");
            for f in &b.intake.top_fact_checks {
                let _ = write!(
                    out,
                    "<li>{} <small>({}) — {} {}</small></li>",
                    escape(&f.claim),
                    escape(f.rating.as_deref().unwrap_or("—")),
                    f.items,
                    word(l, "items")
                );
            }
            out.push_str("</ol>");
        }
        let _ = write!(
            out,
            "<h2>{}</h2><p>{}: {} · {}: {}</p>",
            word(l, "narratives"),
            word(l, "new_narratives"),
            b.narratives.new,
            word(l, "bursts"),
            b.narratives.bursts
        );
        if !b.narratives.fastest_growing.is_empty() {
            out.push_str("<ul>");
            for n in &b.narratives.fastest_growing {
                let text: String = n.text.chars().take(140).collect();
                let link = format!("{}/narratives/{}", self.base_url, n.id);
                let _ = write!(
                    out,
                    "<li><a href=\"{}\">{}</a> <small>— {} {}</small></li>",
                    escape(&link),
                    escape(&text),
                    n.items_in_period,
                    word(l, "items")
                );
            }
            out.push_str("</ul>");
        }
        let _ = write!(out, "<h2>{}</h2><table class=\"figures\">", word(l, "work"));
        for (label, value) in self.key_figures() {
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                escape(label),
                escape(&value)
            );
        }
        out.push_str("</table>");
        let _ = write!(out, "<h2>{}</h2>", word(l, "charts"));
        for chart in self.charts() {
            let _ = write!(
                out,
                "<figure><figcaption>{}</figcaption>{}",
                escape(&chart.title),
                chart.svg()
            );
            let _ = write!(
                out,
                "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
                escape(&chart.label_header),
                escape(&chart.value_header)
            );
            for (label, value) in chart.labels.iter().zip(&chart.values) {
                let _ = write!(
                    out,
                    "<tr><th scope=\"row\">{}</th><td>{value}</td></tr>",
                    escape(label)
                );
            }
            out.push_str("</tbody></table></figure>");
        }
        out.push_str("</main></body></html>\n");
        out
    }
}

/// The digest's page style: one readable column, charts that shrink to the screen, and A4
/// pages when printed.
const STYLE: &str = "body{font-family:'Noto Sans','DejaVu Sans',sans-serif;margin:0;\
color:#1d1d1d;background:#fff;line-height:1.45}main{max-width:44rem;margin:0 auto;\
padding:1rem}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem;\
border-bottom:1px solid #ccc}svg{max-width:100%;height:auto}table{border-collapse:collapse;\
margin:.5rem 0}th,td{padding:.2rem .6rem;text-align:left;border-bottom:1px solid #eee}\
.meta,small{color:#555}.rating{color:#a01818}figure{margin:1rem 0}\
@page{size:A4;margin:15mm}@media print{a{color:inherit}}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_word() {
        for key in [
            "week",
            "month",
            "period",
            "range",
            "verdicts",
            "no_verdicts",
            "evidence",
            "by",
            "came_back",
            "items",
            "narratives",
            "new_narratives",
            "bursts",
            "work",
            "items_in",
            "check_worthy",
            "cases_opened",
            "verdicts_published",
            "median",
            "p90",
            "hours",
            "backlog",
            "charts",
            "items_over_time",
            "items_over_time_desc",
            "verdicts_by_rating",
            "verdicts_by_rating_desc",
            "day",
            "count",
            "rating",
            "none",
        ] {
            assert!(!word(DigestLang::Vi, key).is_empty(), "{key}");
            assert!(!word(DigestLang::En, key).is_empty(), "{key}");
        }
    }
}
