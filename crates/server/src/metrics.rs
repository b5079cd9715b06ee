//! Request metrics in the Prometheus text format: counts by route, method and status, and a
//! latency histogram by route.
//!
//! Architecture invariant: every label takes its values from a set fixed by the code, never
//! by what a client sends, so no request can add a series: routes are axum's route patterns
//! (`/items/{id}`) or `unmatched`, methods the standard ones or `other`, statuses the
//! codes the server answers with.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    /// Cumulative counts per bucket of [`BUCKETS`].
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Data {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// The server's request metrics.
#[derive(Default)]
pub(crate) struct Metrics {
    data: Mutex<Data>,
}

/// The HTTP methods counted by name; any other is counted as `other`.
const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
];

/// The method's label: its name when standard, else `other`.
pub(crate) fn method_label(method: &str) -> &'static str {
    METHODS
        .into_iter()
        .find(|m| *m == method)
        .unwrap_or("other")
}

impl Metrics {
    /// Counts one request. `route` is a route pattern of the router (or `unmatched`);
    /// `method` is reduced to [`method_label`].
    pub(crate) fn record(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let method = method_label(method);
        let Ok(mut data) = self.data.lock() else {
            return;
        };
        *data
            .requests
            .entry((route.to_string(), method.to_string(), status))
            .or_default() += 1;
        let h = data.latency.entry(route.to_string()).or_default();
        let secs = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.buckets[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// The metrics, and the store's counts when it answered, in the Prometheus text format.
    pub(crate) fn render(&self, counts: Option<(u64, u64)>) -> String {
        let mut out = String::new();
        if let Some((fact_checks, items)) = counts {
            let _ = writeln!(
                out,
                "# HELP claimdesk_factchecks Fact-checks stored (canonical and aliases).\n\
             # TYPE claimdesk_factchecks gauge\nclaimdesk_factchecks {fact_checks}\n\
             # HELP claimdesk_items Items (posts, articles) stored.\n\
             # TYPE claimdesk_items gauge\nclaimdesk_items {items}"
            );
        }
        let Ok(data) = self.data.lock() else {
            return out;
        };
        out.push_str(
            "# HELP claimdesk_http_requests_total HTTP requests answered.\n\
             # TYPE claimdesk_http_requests_total counter\n",
        );
        for ((route, method, status), n) in &data.requests {
            let _ = writeln!(
                out,
                "claimdesk_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                label(route),
                label(method)
            );
        }
        out.push_str(
            "# HELP claimdesk_http_request_duration_seconds Time to answer HTTP requests.\n\
             # TYPE claimdesk_http_request_duration_seconds histogram\n",
        );
        for (route, h) in &data.latency {
            let route = label(route);
            for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                let _ = writeln!(
                    out,
                    "claimdesk_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "claimdesk_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 claimdesk_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 claimdesk_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count, h.sum, h.count
            );
        }
        out
    }
}

/// A label value escaped as the text format wants (`\`, `"` and newlines).
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative() {
        let m = Metrics::default();
        m.record("/", "GET", 200, Duration::from_millis(3));
        m.record("/", "GET", 200, Duration::from_millis(300));
        let text = m.render(Some((2, 3)));
        assert!(text.contains(
            "claimdesk_http_requests_total{route=\"/\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"0.5\"} 2"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("claimdesk_items 3"));
    }
}
