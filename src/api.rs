//! The widget's network: every request to the Switchboard server goes through
//! here (the WebSocket joins it with the live chat card).

use gloo_net::http::Request;
use switchboard_protocol::site::{SiteConfig, SiteKey};

/// Fetches the site's public configuration from `api_base` (the server origin).
pub async fn fetch_config(api_base: &str, site: &SiteKey) -> Result<SiteConfig, String> {
    let url = format!("{}/api/sites/{}/config", api_base.trim_end_matches('/'), site);
    // (Errors name the URL only: gloo-net's own messages would bring their
    // formatting code, serde_json's among it, into the bundle.)
    let response = Request::get(&url).send().await.map_err(|_| format!("{url}: no response"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let text = response.text().await.map_err(|_| format!("{url}: the response broke off"))?;
    switchboard_protocol::json::from_str(&text).map_err(|e| format!("{url}: {e}"))
}
