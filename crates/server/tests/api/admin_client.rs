//! A typed client for the admin API, as the console uses it: the protocol's
//! requests go in, its views (or the refusal, with its status) come out.

use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;
use switchboard_protocol::admin::{
    AccountRouteView, AgentChange, AgentPassword, AgentView, AppearanceChange, ErrorBody, NewAccountRoute,
    NewAgent, NewSite, NewTeam, PasswordReset, RoutingTry, RoutingTryView, RuleOrder, Schedule, SiteChange,
    SiteView, StreamPublished, StreamSummary, StreamView, TeamChange, TeamView,
};
use switchboard_protocol::rules::RoutingRule;

use crate::helpers::TestApp;

/// The admin API, with an admin's session.
pub struct AdminClient {
    http: reqwest::Client,
    base: Url,
    token: String,
}

/// A refused request.
#[derive(Debug)]
pub struct Refused {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl Refused {
    /// The fields named, in order.
    pub fn fields(&self) -> Vec<&str> {
        self.body.error.fields.iter().map(|f| f.field.as_str()).collect()
    }

    /// The message about `field`.
    pub fn about(&self, field: &str) -> &str {
        let found = self.body.error.fields.iter().find(|f| f.field == field);
        &found.unwrap_or_else(|| panic!("no problem with {field}: {self:?}")).message
    }
}

pub type Answer<T> = Result<T, Refused>;

impl TestApp {
    /// The admin API as admin@example.com.
    pub async fn admin(&self) -> AdminClient {
        let base = Url::parse(&format!("{}/api/admin/", self.url)).unwrap();
        AdminClient { http: self.http.clone(), base, token: self.session("admin@example.com").await }
    }
}

impl AdminClient {
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut().unwrap().pop_if_empty().extend(segments);
        url
    }

    async fn send<T: DeserializeOwned>(&self, method: Method, path: &[&str], body: Body) -> Answer<T> {
        let r = self.http.request(method, self.url(path)).bearer_auth(&self.token);
        let r = match body {
            Body::None => r,
            Body::Json(v) => r.json(&v),
            Body::Text(t) => r.body(t),
        };
        let r = r.send().await.unwrap();
        let status = r.status();
        let bytes = r.bytes().await.unwrap();
        if status.is_success() {
            // 204 has no body: read it as `null` (for `()`).
            let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            Ok(serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{status}: {e}")))
        } else {
            let body = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{status}: {e}: {}", String::from_utf8_lossy(&bytes)));
            Err(Refused { status, body })
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &[&str]) -> Answer<T> {
        self.send(Method::GET, path, Body::None).await
    }

    async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &[&str],
        body: &impl Serialize,
    ) -> Answer<T> {
        self.send(method, path, Body::Json(serde_json::to_value(body).unwrap())).await
    }

    async fn delete(&self, path: &[&str]) -> Answer<()> {
        self.send(Method::DELETE, path, Body::None).await
    }

    pub async fn sites(&self) -> Answer<Vec<SiteView>> {
        self.get(&["sites"]).await
    }

    pub async fn site(&self, key: &str) -> Answer<SiteView> {
        self.get(&["sites", key]).await
    }

    pub async fn add_site(&self, req: &NewSite) -> Answer<SiteView> {
        self.json(Method::POST, &["sites"], req).await
    }

    pub async fn update_site(&self, key: &str, req: &SiteChange) -> Answer<SiteView> {
        self.json(Method::PATCH, &["sites", key], req).await
    }

    pub async fn update_appearance(&self, key: &str, req: &AppearanceChange) -> Answer<SiteView> {
        self.json(Method::PATCH, &["sites", key, "appearance"], req).await
    }

    pub async fn remove_site(&self, key: &str) -> Answer<()> {
        self.delete(&["sites", key]).await
    }

    pub async fn agents(&self) -> Answer<Vec<AgentView>> {
        self.get(&["agents"]).await
    }

    pub async fn agent(&self, email: &str) -> Answer<AgentView> {
        self.get(&["agents", email]).await
    }

    pub async fn add_agent(&self, req: &NewAgent) -> Answer<AgentPassword> {
        self.json(Method::POST, &["agents"], req).await
    }

    pub async fn update_agent(&self, email: &str, req: &AgentChange) -> Answer<AgentView> {
        self.json(Method::PATCH, &["agents", email], req).await
    }

    pub async fn reset_password(&self, email: &str, req: &PasswordReset) -> Answer<AgentPassword> {
        self.json(Method::PUT, &["agents", email, "password"], req).await
    }

    pub async fn set_schedule(&self, email: &str, schedule: Option<&Schedule>) -> Answer<()> {
        self.json(Method::PUT, &["agents", email, "schedule"], &schedule).await
    }

    /// A new invitation for an agent (`{agent, invite_token}`).
    pub async fn invite(&self, email: &str) -> Answer<AgentPassword> {
        self.send(Method::POST, &["agents", email, "invite"], Body::None).await
    }

    pub async fn remove_agent(&self, email: &str) -> Answer<()> {
        self.delete(&["agents", email]).await
    }

    pub async fn teams(&self) -> Answer<Vec<TeamView>> {
        self.get(&["teams"]).await
    }

    pub async fn team(&self, name: &str) -> Answer<TeamView> {
        self.get(&["teams", name]).await
    }

    pub async fn add_team(&self, req: &NewTeam) -> Answer<TeamView> {
        self.json(Method::POST, &["teams"], req).await
    }

    pub async fn update_team(&self, name: &str, req: &TeamChange) -> Answer<TeamView> {
        self.json(Method::PATCH, &["teams", name], req).await
    }

    pub async fn remove_team(&self, name: &str) -> Answer<()> {
        self.delete(&["teams", name]).await
    }

    pub async fn rules(&self, key: &str) -> Answer<Vec<RoutingRule>> {
        self.get(&["sites", key, "rules"]).await
    }

    pub async fn rule(&self, key: &str, name: &str) -> Answer<RoutingRule> {
        self.get(&["sites", key, "rules", name]).await
    }

    pub async fn save_rule(&self, key: &str, rule: &RoutingRule) -> Answer<()> {
        self.json(Method::POST, &["sites", key, "rules"], rule).await
    }

    pub async fn remove_rule(&self, key: &str, name: &str) -> Answer<()> {
        self.delete(&["sites", key, "rules", name]).await
    }

    pub async fn account_routes(&self, key: &str) -> Answer<Vec<AccountRouteView>> {
        self.get(&["sites", key, "account-routes"]).await
    }

    pub async fn save_account_route(&self, key: &str, req: &NewAccountRoute) -> Answer<AccountRouteView> {
        self.json(Method::POST, &["sites", key, "account-routes"], req).await
    }

    pub async fn try_routing(&self, key: &str, req: &RoutingTry) -> Answer<RoutingTryView> {
        self.json(Method::POST, &["sites", key, "routing", "try"], req).await
    }

    pub async fn order_rules(&self, key: &str, req: &RuleOrder) -> Answer<Vec<RoutingRule>> {
        self.json(Method::PUT, &["sites", key, "rules", "order"], req).await
    }

    pub async fn replace_rule(&self, key: &str, name: &str, rule: &RoutingRule) -> Answer<()> {
        self.json(Method::PUT, &["sites", key, "rules", name], rule).await
    }

    /// The account routes CSV: its content type and text.
    pub async fn account_routes_csv(&self, key: &str) -> (String, String) {
        let r = self.http.get(self.url(&["sites", key, "account-routes.csv"])).bearer_auth(&self.token);
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let content_type = r.headers()["content-type"].to_str().unwrap().to_owned();
        (content_type, r.text().await.unwrap())
    }

    /// Uploads an account routes CSV (the body is the CSV itself).
    pub async fn put_account_routes_csv(&self, key: &str, csv: &str) -> Answer<Vec<AccountRouteView>> {
        self.send(Method::PUT, &["sites", key, "account-routes.csv"], Body::Text(csv.to_owned())).await
    }

    pub async fn streams(&self, key: &str) -> Answer<Vec<StreamSummary>> {
        self.get(&["sites", key, "streams"]).await
    }

    pub async fn stream(&self, key: &str, id: &str) -> Answer<StreamView> {
        self.get(&["sites", key, "streams", id]).await
    }

    /// Publishes a stream file (the body is the TOML itself).
    pub async fn publish_stream(&self, key: &str, source: &str) -> Answer<StreamPublished> {
        self.send(Method::PUT, &["sites", key, "streams"], Body::Text(source.to_owned())).await
    }

    pub async fn remove_stream(&self, key: &str, id: &str) -> Answer<()> {
        self.delete(&["sites", key, "streams", id]).await
    }
}

/// A request's body.
enum Body {
    None,
    Json(serde_json::Value),
    /// A stream file or a CSV, sent as it is.
    Text(String),
}
