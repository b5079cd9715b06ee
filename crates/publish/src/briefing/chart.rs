//! Charts as SVG drawn on the server: no script, no inline style (the desk's
//! Content-Security-Policy allows neither), presentation attributes and classes only, with
//! a `<title>` and a `<desc>` for screen readers. The numbers themselves go in a table beside
//! the chart (the page's job), so nothing is only in the picture.

use std::fmt::Write;

/// How a chart draws its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Vertical columns in order, for values over time.
    Columns,
    /// Horizontal bars with their labels, for counts by category.
    Bars,
}

/// One chart: labelled values, a title and a description.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The figure's name (its CSV download and the id of its elements).
    pub id: String,
    /// Shown above the chart and read first by screen readers.
    pub title: String,
    /// One sentence saying what the chart shows.
    pub description: String,
    /// The header of the label column of its table.
    pub label_header: String,
    /// The header of the value column.
    pub value_header: String,
    /// A label per value.
    pub labels: Vec<String>,
    /// The values.
    pub values: Vec<u64>,
    /// Columns or bars.
    pub kind: ChartKind,
}

const WIDTH: u32 = 640;
const COLUMN_HEIGHT: u32 = 180;
const BAR_HEIGHT: u32 = 22;
const LABEL_WIDTH: u32 = 200;

/// `s` with the five XML specials escaped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `s` cut to `max` characters, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

impl Chart {
    /// The chart as an `<svg>` element (UTF-8 text, safe to put in HTML as is).
    pub fn svg(&self) -> String {
        let max = self.values.iter().copied().max().unwrap_or(0).max(1) as f64;
        let id = escape(&self.id);
        let (height, body) = match self.kind {
            ChartKind::Columns => (COLUMN_HEIGHT + 40, self.columns(max)),
            ChartKind::Bars => {
                let rows = self.values.len().max(1) as u32;
                (rows * BAR_HEIGHT + 10, self.bars(max))
            }
        };
        let mut out = String::new();
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {WIDTH} \
             {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"img\" \
             aria-labelledby=\"{id}-title {id}-desc\">\
             <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{body}</svg>",
            escape(&self.title),
            escape(&self.description),
        );
        out
    }

    fn columns(&self, max: f64) -> String {
        let n = self.values.len().max(1) as f64;
        let slot = f64::from(WIDTH) / n;
        let width = (slot * 0.8).max(1.0);
        let mut out = String::new();
        let _ = write!(
            out,
            "<line x1=\"0\" y1=\"{COLUMN_HEIGHT}\" x2=\"{WIDTH}\" y2=\"{COLUMN_HEIGHT}\" \
             class=\"axis\" stroke=\"#888\"/>"
        );
        for (i, (&v, label)) in self.values.iter().zip(&self.labels).enumerate() {
            let h = (v as f64 / max * f64::from(COLUMN_HEIGHT - 10)).round();
            let x = i as f64 * slot + (slot - width) / 2.0;
            let _ = write!(
                out,
                "<rect class=\"bar\" fill=\"#2a6fb0\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{width:.1}\" \
                 height=\"{h:.1}\"><title>{}: {v}</title></rect>",
                f64::from(COLUMN_HEIGHT) - h,
                escape(label)
            );
        }
        // The first and last labels under the axis, and the largest value.
        if let (Some(first), Some(last)) = (self.labels.first(), self.labels.last()) {
            let _ = write!(
                out,
                "<text x=\"0\" y=\"{}\" font-size=\"12\" fill=\"currentColor\">{}</text>\
                 <text x=\"{WIDTH}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\" \
                 fill=\"currentColor\">{}</text>",
                COLUMN_HEIGHT + 16,
                escape(first),
                COLUMN_HEIGHT + 16,
                escape(last)
            );
        }
        let _ = write!(
            out,
            "<text x=\"2\" y=\"12\" font-size=\"12\" fill=\"currentColor\">{}</text>",
            max as u64
        );
        out
    }

    fn bars(&self, max: f64) -> String {
        let room = f64::from(WIDTH - LABEL_WIDTH - 60);
        let mut out = String::new();
        for (i, (&v, label)) in self.values.iter().zip(&self.labels).enumerate() {
            let y = i as u32 * BAR_HEIGHT + 4;
            let w = (v as f64 / max * room)
                .round()
                .max(if v > 0 { 1.0 } else { 0.0 });
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\" \
                 fill=\"currentColor\">{}</text>\
                 <rect class=\"bar\" fill=\"#2a6fb0\" x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{w}\" \
                 height=\"{}\"/>\
                 <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"currentColor\">{v}</text>",
                LABEL_WIDTH - 6,
                y + 14,
                escape(&clip(label, 30)),
                BAR_HEIGHT - 6,
                f64::from(LABEL_WIDTH) + w + 4.0,
                y + 14,
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(kind: ChartKind) -> Chart {
        Chart {
            id: "items".into(),
            title: "Items <per> day".into(),
            description: "How many items came in each day.".into(),
            label_header: "Day".into(),
            value_header: "Items".into(),
            labels: vec!["2026-03-02".into(), "Đà Nẵng & co".into()],
            values: vec![3, 6],
            kind,
        }
    }

    #[test]
    fn a_chart_is_titled_escaped_and_scaled_to_its_largest_value() {
        for kind in [ChartKind::Columns, ChartKind::Bars] {
            let svg = chart(kind).svg();
            assert!(svg.starts_with("<svg "), "{svg}");
            assert!(svg.contains("<title id=\"items-title\">Items &lt;per&gt; day</title>"));
            assert!(svg.contains("Đà Nẵng &amp; co"));
            assert!(!svg.contains("style="), "no inline style under the CSP");
            assert!(!svg.contains("<script"));
        }
        let svg = chart(ChartKind::Columns).svg();
        assert!(
            svg.contains("height=\"170.0\""),
            "the largest column is full: {svg}"
        );
        assert!(
            svg.contains("height=\"85.0\""),
            "half the largest is half as high"
        );
    }
}
