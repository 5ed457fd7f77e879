//! The widget's network: every request to the Switchboard server goes through
//! here (the WebSocket joins it with the live chat card).

use gloo_net::http::Request;
use switchboard_protocol::site::{SiteConfig, SiteKey};

/// Fetches the site's public configuration from `api_base` (the server origin).
pub async fn fetch_config(api_base: &str, site: &SiteKey) -> Result<SiteConfig, String> {
    let url = format!("{}/api/sites/{}/config", api_base.trim_end_matches('/'), site);
    let response = Request::get(&url).send().await.map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let text = response.text().await.map_err(|e| e.to_string())?;
    switchboard_protocol::json::from_str(&text).map_err(|e| format!("{url}: {e}"))
}
