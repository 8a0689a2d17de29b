//! Talking to the running server: GraphQL requests and its `/metrics` counters.

use anyhow::Context as _;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value as Json;
use std::collections::HashMap;

/// Requests counted by the server.
pub(crate) const GRAPHQL_REQUESTS: &str = "annals_graphql_requests_total";
/// SQL statements the server sent to its database.
pub(crate) const SQL_STATEMENTS: &str = "annals_sql_statements_total";
/// The server's peak resident set size, in bytes.
pub(crate) const PEAK_RSS: &str = r#"annals_process_memory_bytes{kind="peak_resident"}"#;

/// The GraphQL endpoint and the metrics endpoint of one server, and a client for both.
#[derive(Debug, Clone)]
pub(crate) struct Server {
    client: reqwest::Client,
    graphql: String,
    metrics: String,
}

/// What the load loop needs to know of a response: whether it carried `data` and `errors`,
/// without building the JSON tree.
#[derive(Deserialize)]
struct Envelope {
    data: Option<IgnoredAny>,
    errors: Option<IgnoredAny>,
}

impl Server {
    /// A server whose GraphQL endpoint is `url`; `/metrics` is on the same host.
    ///
    /// # Errors
    /// When `url` is not an absolute URL, or no HTTP client can be built.
    pub(crate) fn new(url: &str) -> anyhow::Result<Self> {
        let graphql = url::Url::parse(url).with_context(|| format!("{url:?} is not a URL"))?;
        let metrics =
            graphql.join("/metrics").with_context(|| format!("no /metrics beside {url}"))?;
        // No proxy: a benchmark measures the server, not whatever the environment routes
        // requests through.
        let client =
            reqwest::Client::builder().no_proxy().build().context("cannot build an HTTP client")?;
        Ok(Server { client, graphql: graphql.to_string(), metrics: metrics.to_string() })
    }

    fn post(&self, body: String) -> reqwest::RequestBuilder {
        self.client
            .post(&self.graphql)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body)
    }

    /// The request body for `document` with `variables`.
    pub(crate) fn body(document: &str, variables: &Json) -> String {
        serde_json::json!({ "query": document, "variables": variables }).to_string()
    }

    /// Sends one request of the load loop. `Ok` only for HTTP 200 with `data` and no
    /// `errors`; otherwise a short description of what came back.
    pub(crate) async fn request(&self, body: String) -> Result<(), String> {
        let response = self.post(body).send().await.map_err(|err| format!("request: {err}"))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|err| format!("response: {err}"))?;
        let failure = || format!("HTTP {status}: {}", excerpt(&bytes));
        if !status.is_success() {
            return Err(failure());
        }
        match serde_json::from_slice::<Envelope>(&bytes) {
            Ok(Envelope { data: Some(_), errors: None }) => Ok(()),
            _ => Err(failure()),
        }
    }

    /// Sends one request and returns its `data`, for verification.
    ///
    /// # Errors
    /// When the request fails, or the response is not JSON or holds `errors`.
    pub(crate) async fn data(&self, body: String) -> anyhow::Result<Json> {
        let response = self.post(body).send().await.context("the GraphQL request failed")?;
        let status = response.status();
        let bytes = response.bytes().await.context("cannot read the GraphQL response")?;
        let mut json: Json = serde_json::from_slice(&bytes)
            .with_context(|| format!("HTTP {status}, not JSON: {}", excerpt(&bytes)))?;
        if !status.is_success() || json.get("errors").is_some() {
            anyhow::bail!("HTTP {status}: {}", excerpt(&bytes));
        }
        match json.get_mut("data") {
            Some(data) => Ok(data.take()),
            None => anyhow::bail!("no `data` in the response: {}", excerpt(&bytes)),
        }
    }

    /// The server's counters and gauges, by name.
    ///
    /// # Errors
    /// When `/metrics` cannot be read.
    pub(crate) async fn metrics(&self) -> anyhow::Result<HashMap<String, f64>> {
        let response = self
            .client
            .get(&self.metrics)
            .send()
            .await
            .with_context(|| format!("cannot reach {}", self.metrics))?;
        let status = response.status();
        anyhow::ensure!(status.is_success(), "{} answered HTTP {status}", self.metrics);
        let text = response.text().await.context("cannot read /metrics")?;
        Ok(parse_metrics(&text))
    }
}

/// Reads the Prometheus text format: every sample by its series (`name{labels}`), and every
/// labelled metric also by its bare name, summed over its labels.
fn parse_metrics(text: &str) -> HashMap<String, f64> {
    let mut metrics = HashMap::new();
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        // Label values never hold `} ` in what Annals exports, so the last space ends the series.
        let Some((series, value)) = line.rsplit_once(' ') else { continue };
        let Ok(value) = value.trim().parse::<f64>() else { continue };
        if let Some((name, _)) = series.split_once('{') {
            *metrics.entry(name.to_owned()).or_insert(0.0) += value;
        }
        metrics.insert(series.to_owned(), value);
    }
    metrics
}

/// The start of a response body, for error messages.
fn excerpt(bytes: &[u8]) -> String {
    const MAX: usize = 300;
    let text = String::from_utf8_lossy(bytes);
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_read_by_name() {
        let text = "# HELP a_total A.\n# TYPE a_total counter\na_total 12\nb_bytes 3.5e3\n\
                    c_total{op=\"x y\",outcome=\"ok\"} 2\nc_total{op=\"z\",outcome=\"ok\"} 3\n";
        let metrics = parse_metrics(text);
        assert_eq!(metrics.get("a_total"), Some(&12.0));
        assert_eq!(metrics.get("b_bytes"), Some(&3500.0));
        assert_eq!(metrics.get("c_total"), Some(&5.0), "summed over labels");
        assert_eq!(metrics.get(r#"c_total{op="z",outcome="ok"}"#), Some(&3.0));
        assert_eq!(metrics.len(), 5);
    }
}
