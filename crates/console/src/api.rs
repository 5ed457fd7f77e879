//! Every request the console makes to the server (same origin; the session
//! is the HttpOnly cookie the login sets). Bodies and answers are the
//! protocol's admin requests and views; a refusal comes back as
//! [`ApiError`], with a check's problems by field.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use switchboard_protocol::admin::{
    AccountRouteView, AccountToken, AgentChange, AgentPassword, AgentView, AppearanceChange,
    ConversationDetail, ConversationPage, ErrorBody, FirstAdmin, InvalidRequest, LinkToken, NewAccountRoute,
    NewAgent, NewSite, NewTeam, PasswordReset, RoutingTry, RoutingTryView, RuleOrder, Schedule, SiteChange,
    SiteView, StreamPublished, StreamSummary, StreamView, TeamChange, TeamView,
};
use switchboard_protocol::admin::{CannedRequest, CannedView, ChatReport, LiveNow};
use switchboard_protocol::admin::{
    DraftConflict, DraftView, InvalidDraft, PublishDraft, ReleaseView, RestoreRelease, SaveDraft,
    StreamFinding,
};
use switchboard_protocol::auth::{AgentProfile, LoginRequest};
use switchboard_protocol::rules::RoutingRule;

/// Why a request failed, as the console needs to tell it.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 401: not signed in (or the session ended), or wrong credentials.
    Unauthorized,
    /// 403: signed in, but not an admin.
    Forbidden,
    /// 404: not there (any more).
    NotFound(String),
    /// 400 from a check: every refused value by field.
    Invalid(InvalidRequest),
    /// A stream file's errors (`line:col: card id: message`).
    Stream(Vec<String>),
    /// 409 and other refusals with a message for a person.
    Refused(String),
    /// The server failed (a 5xx answer): its message, or the status.
    Server(String),
    /// The server could not be reached, or answered something unexpected.
    Failed(String),
}

impl ApiError {
    /// The refusal's problems by field (empty unless [`ApiError::Invalid`]).
    pub fn fields(&self) -> InvalidRequest {
        match self {
            ApiError::Invalid(i) => i.clone(),
            _ => InvalidRequest::default(),
        }
    }
}

/// Reads an error answer: its status and, when there is one, its JSON body.
pub fn error_from(status: u16, body: Option<ErrorBody>) -> ApiError {
    let detail = body.map(|b| b.error);
    let message = detail.as_ref().map(|d| d.message.clone()).unwrap_or_else(|| format!("HTTP {status}"));
    match (status, detail) {
        (401, _) => ApiError::Unauthorized,
        (403, _) => ApiError::Forbidden,
        (404, _) => ApiError::NotFound(message),
        (_, Some(d)) if !d.fields.is_empty() => ApiError::Invalid(InvalidRequest { fields: d.fields }),
        (_, Some(d)) if d.details.as_ref().is_some_and(|x| !x.is_empty()) => {
            ApiError::Stream(d.details.unwrap_or_default())
        }
        (400 | 409 | 413 | 422 | 429, _) => ApiError::Refused(message),
        (500..=599, _) => ApiError::Server(message),
        _ => ApiError::Failed(message),
    }
}

fn failed(e: impl std::fmt::Display) -> ApiError {
    ApiError::Failed(e.to_string())
}

async fn answer<T: DeserializeOwned>(r: Response) -> Result<T, ApiError> {
    if (200..300).contains(&r.status()) {
        return r.json().await.map_err(failed);
    }
    Err(error_from(r.status(), r.json::<ErrorBody>().await.ok()))
}

async fn done(r: Response) -> Result<(), ApiError> {
    if (200..300).contains(&r.status()) {
        return Ok(());
    }
    Err(error_from(r.status(), r.json::<ErrorBody>().await.ok()))
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    answer(Request::get(url).send().await.map_err(failed)?).await
}

async fn with_json<B: Serialize, T: DeserializeOwned>(req: RequestBuilder, body: &B) -> Result<T, ApiError> {
    answer(req.json(body).map_err(failed)?.send().await.map_err(failed)?).await
}

async fn send_json<B: Serialize>(req: RequestBuilder, body: &B) -> Result<(), ApiError> {
    done(req.json(body).map_err(failed)?.send().await.map_err(failed)?).await
}

async fn delete(url: &str) -> Result<(), ApiError> {
    done(Request::delete(url).send().await.map_err(failed)?).await
}

/// A path segment, percent-encoded (emails, rule names, domains).
pub fn seg(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

/// The signed-in agent, if the session cookie is valid.
pub async fn me() -> Result<AgentProfile, ApiError> {
    get("/api/auth/me").await
}

/// Signs in; the server sets the session cookie.
pub async fn login(email: String, password: String) -> Result<AgentProfile, ApiError> {
    #[derive(serde::Deserialize)]
    struct LoginResponse {
        agent: AgentProfile,
    }
    let r: LoginResponse =
        with_json(Request::post("/api/auth/login"), &LoginRequest { email, password }).await?;
    Ok(r.agent)
}

/// Ends the session.
pub async fn logout() -> Result<(), ApiError> {
    // JSON, like every write: the server refuses a logout a plain form could forge.
    let r = Request::post("/api/auth/logout").json(&serde_json::json!({})).map_err(failed)?.send().await;
    done(r.map_err(failed)?).await
}

/// Every site.
pub async fn sites() -> Result<Vec<SiteView>, ApiError> {
    get("/api/admin/sites").await
}

/// One site.
pub async fn site(key: &str) -> Result<SiteView, ApiError> {
    get(&format!("/api/admin/sites/{}", seg(key))).await
}

/// Creates a site.
pub async fn add_site(new: &NewSite) -> Result<SiteView, ApiError> {
    with_json(Request::post("/api/admin/sites"), new).await
}

/// Changes a site's settings.
pub async fn update_site(key: &str, change: &SiteChange) -> Result<SiteView, ApiError> {
    with_json(Request::patch(&format!("/api/admin/sites/{}", seg(key))), change).await
}

/// Changes how a site's widget looks.
pub async fn update_appearance(key: &str, change: &AppearanceChange) -> Result<SiteView, ApiError> {
    with_json(Request::patch(&format!("/api/admin/sites/{}/appearance", seg(key))), change).await
}

/// Removes a site.
pub async fn remove_site(key: &str) -> Result<(), ApiError> {
    delete(&format!("/api/admin/sites/{}", seg(key))).await
}

/// A site's published streams.
pub async fn streams(key: &str) -> Result<Vec<StreamSummary>, ApiError> {
    get(&format!("/api/admin/sites/{}/streams", seg(key))).await
}

/// One published stream with its source.
pub async fn stream(key: &str, id: &str) -> Result<StreamView, ApiError> {
    get(&format!("/api/admin/sites/{}/streams/{}", seg(key), seg(id))).await
}

/// Publishes a stream file (TOML) on a site.
pub async fn publish_stream(key: &str, source: String) -> Result<StreamPublished, ApiError> {
    let r = Request::put(&format!("/api/admin/sites/{}/streams", seg(key)))
        .header("content-type", "text/plain; charset=utf-8")
        .body(source)
        .map_err(failed)?
        .send()
        .await
        .map_err(failed)?;
    answer(r).await
}

/// Why saving or publishing a draft was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum DraftError {
    /// 409 `draft_conflict`: someone saved first; the draft as it is now.
    Conflict(Box<DraftView>),
    /// 422 `invalid_stream` on publishing: the validator's findings.
    Invalid(Vec<StreamFinding>),
    /// Anything else.
    Api(ApiError),
}

/// Reads a draft request's answer (409 and 422 carry bodies of their own).
async fn draft_answer<T: DeserializeOwned>(r: Response) -> Result<T, DraftError> {
    let status = r.status();
    if (200..300).contains(&status) {
        return r.json().await.map_err(|e| DraftError::Api(failed(e)));
    }
    // 409 and 422 carry bodies of their own; any other refusal is read as usual.
    let text = r.text().await.unwrap_or_default();
    if let (409, Ok(c)) = (status, serde_json::from_str::<DraftConflict>(&text)) {
        return Err(DraftError::Conflict(Box::new(c.draft)));
    }
    if let (422, Ok(i)) = (status, serde_json::from_str::<InvalidDraft>(&text)) {
        return Err(DraftError::Invalid(i.findings));
    }
    Err(DraftError::Api(error_from(status, serde_json::from_str::<ErrorBody>(&text).ok())))
}

fn stream_url(key: &str, id: &str) -> String {
    format!("/api/admin/sites/{}/streams/{}", seg(key), seg(id))
}

/// A stream's draft (its published form when it has no draft yet).
pub async fn draft(key: &str, id: &str) -> Result<DraftView, ApiError> {
    get(&format!("{}/draft", stream_url(key, id))).await
}

/// Saves a draft, from the revision it started at.
pub async fn save_draft(key: &str, id: &str, save: &SaveDraft) -> Result<DraftView, DraftError> {
    let req = Request::put(&format!("{}/draft", stream_url(key, id))).json(save);
    draft_answer(
        req.map_err(|e| DraftError::Api(failed(e)))?.send().await.map_err(|e| DraftError::Api(failed(e)))?,
    )
    .await
}

/// Publishes the draft at `publish.base_revision` as the next version.
pub async fn publish_draft(
    key: &str,
    id: &str,
    publish: &PublishDraft,
) -> Result<StreamPublished, DraftError> {
    let req = Request::post(&format!("{}/publish", stream_url(key, id))).json(publish);
    draft_answer(
        req.map_err(|e| DraftError::Api(failed(e)))?.send().await.map_err(|e| DraftError::Api(failed(e)))?,
    )
    .await
}

/// A stream's releases, newest first.
pub async fn releases(key: &str, id: &str) -> Result<Vec<ReleaseView>, ApiError> {
    get(&format!("{}/releases", stream_url(key, id))).await
}

/// Publishes release `version` again as the next version.
pub async fn restore_release(key: &str, id: &str, version: u32) -> Result<StreamPublished, ApiError> {
    with_json(
        Request::post(&format!("{}/releases/{version}/restore", stream_url(key, id))),
        &RestoreRelease::default(),
    )
    .await
}

/// Removes a stream.
pub async fn remove_stream(key: &str, id: &str) -> Result<(), ApiError> {
    delete(&format!("/api/admin/sites/{}/streams/{}", seg(key), seg(id))).await
}

/// Every agent.
pub async fn agents() -> Result<Vec<AgentView>, ApiError> {
    get("/api/admin/agents").await
}

/// Adds an agent.
pub async fn add_agent(new: &NewAgent) -> Result<AgentPassword, ApiError> {
    with_json(Request::post("/api/admin/agents"), new).await
}

/// Changes an agent.
pub async fn update_agent(email: &str, change: &AgentChange) -> Result<AgentView, ApiError> {
    with_json(Request::patch(&format!("/api/admin/agents/{}", seg(email))), change).await
}

/// Sets (or generates) an agent's password, ending their sessions.
pub async fn reset_password(email: &str, reset: &PasswordReset) -> Result<AgentPassword, ApiError> {
    with_json(Request::put(&format!("/api/admin/agents/{}/password", seg(email))), reset).await
}

/// Sets an agent's weekly schedule (`None`: no schedule).
pub async fn set_schedule(email: &str, schedule: &Option<Schedule>) -> Result<(), ApiError> {
    send_json(Request::put(&format!("/api/admin/agents/{}/schedule", seg(email))), schedule).await
}

/// A new one-time invitation link for an agent (their earlier one stops working).
pub async fn invite_again(email: &str) -> Result<AgentPassword, ApiError> {
    with_json(Request::post(&format!("/api/admin/agents/{}/invite", seg(email))), &serde_json::json!({}))
        .await
}

/// Removes an agent.
pub async fn remove_agent(email: &str) -> Result<(), ApiError> {
    delete(&format!("/api/admin/agents/{}", seg(email))).await
}

/// Every team.
pub async fn teams() -> Result<Vec<TeamView>, ApiError> {
    get("/api/admin/teams").await
}

/// Creates a team.
pub async fn add_team(new: &NewTeam) -> Result<TeamView, ApiError> {
    with_json(Request::post("/api/admin/teams"), new).await
}

/// Changes a team.
pub async fn update_team(name: &str, change: &TeamChange) -> Result<TeamView, ApiError> {
    with_json(Request::patch(&format!("/api/admin/teams/{}", seg(name))), change).await
}

/// Removes a team.
pub async fn remove_team(name: &str) -> Result<(), ApiError> {
    delete(&format!("/api/admin/teams/{}", seg(name))).await
}

/// A site's routing rules.
pub async fn rules(key: &str) -> Result<Vec<RoutingRule>, ApiError> {
    get(&format!("/api/admin/sites/{}/rules", seg(key))).await
}

/// Saves a rule (by its name: a new one, or replacing the one of that name).
pub async fn save_rule(key: &str, rule: &RoutingRule) -> Result<(), ApiError> {
    send_json(Request::post(&format!("/api/admin/sites/{}/rules", seg(key))), rule).await
}

/// Removes a rule.
pub async fn remove_rule(key: &str, name: &str) -> Result<(), ApiError> {
    delete(&format!("/api/admin/sites/{}/rules/{}", seg(key), seg(name))).await
}

/// A site's account routes.
pub async fn account_routes(key: &str) -> Result<Vec<AccountRouteView>, ApiError> {
    get(&format!("/api/admin/sites/{}/account-routes", seg(key))).await
}

/// Saves an account route.
pub async fn save_account_route(key: &str, route: &NewAccountRoute) -> Result<AccountRouteView, ApiError> {
    with_json(Request::post(&format!("/api/admin/sites/{}/account-routes", seg(key))), route).await
}

/// Removes an account route.
pub async fn remove_account_route(key: &str, domain: &str) -> Result<(), ApiError> {
    delete(&format!("/api/admin/sites/{}/account-routes/{}", seg(key), seg(domain))).await
}

/// Sets the order rules are tried in (every rule's name once, first tried first).
pub async fn order_rules(key: &str, names: Vec<String>) -> Result<(), ApiError> {
    send_json(Request::put(&format!("/api/admin/sites/{}/rules/order", seg(key))), &RuleOrder { names }).await
}

/// Replaces the rule named `old` with `rule` (which may have a new name), at once.
pub async fn replace_rule(key: &str, old: &str, rule: &RoutingRule) -> Result<(), ApiError> {
    send_json(Request::put(&format!("/api/admin/sites/{}/rules/{}", seg(key), seg(old))), rule).await
}

async fn text(r: Response) -> Result<String, ApiError> {
    if (200..300).contains(&r.status()) {
        return r.text().await.map_err(failed);
    }
    Err(error_from(r.status(), r.json::<ErrorBody>().await.ok()))
}

/// A site's account routes as CSV (`domain,agent_email`).
pub async fn account_routes_csv(key: &str) -> Result<String, ApiError> {
    text(
        Request::get(&format!("/api/admin/sites/{}/account-routes.csv", seg(key)))
            .send()
            .await
            .map_err(failed)?,
    )
    .await
}

/// Replaces a site's account routes with those of a CSV file.
pub async fn upload_account_routes_csv(key: &str, csv: String) -> Result<Vec<AccountRouteView>, ApiError> {
    let r = Request::put(&format!("/api/admin/sites/{}/account-routes.csv", seg(key)))
        .header("content-type", "text/csv; charset=utf-8")
        .body(csv)
        .map_err(failed)?
        .send()
        .await
        .map_err(failed)?;
    answer(r).await
}

/// A routing dry run: who would get a visitor like this now, and why.
pub async fn try_routing(key: &str, request: &RoutingTry) -> Result<RoutingTryView, ApiError> {
    with_json(Request::post(&format!("/api/admin/sites/{}/routing/try", seg(key))), request).await
}

/// A page of conversations (`url` from [`crate::model::conversations::Filter::api_url`]).
pub async fn conversations(url: &str) -> Result<ConversationPage, ApiError> {
    get(url).await
}

/// The live chat report at `url` (built by `model::reports::api_url`).
pub async fn chat_report(url: &str) -> Result<ChatReport, ApiError> {
    get(url).await
}

/// The dialogue report at `url`.
pub async fn stream_report(url: &str) -> Result<switchboard_protocol::admin::StreamReport, ApiError> {
    get(url).await
}

/// What is going on now (only `site`'s conversations, if given).
pub async fn live_now(site: Option<&str>) -> Result<LiveNow, ApiError> {
    match site {
        Some(key) => get(&format!("/api/admin/reports/live?site={}", crate::model::route::encode(key))).await,
        None => get("/api/admin/reports/live").await,
    }
}

/// One conversation in full, with its routing explained.
pub async fn conversation(id: i64) -> Result<ConversationDetail, ApiError> {
    get(&format!("/api/admin/conversations/{id}")).await
}

/// What a one-time link (setup or invitation) is for, if it is still good.
pub async fn account_token(token: &str) -> Result<AccountToken, ApiError> {
    // In the body: a path would leave it in proxies' access logs.
    with_json(Request::post("/api/account-tokens"), &LinkToken { token: token.to_owned() }).await
}

/// Creates the first admin with the setup link's token, and signs them in.
pub async fn setup(request: &FirstAdmin) -> Result<AgentProfile, ApiError> {
    #[derive(serde::Deserialize)]
    struct LoginResponse {
        agent: AgentProfile,
    }
    let r: LoginResponse = with_json(Request::post("/api/setup"), request).await?;
    Ok(r.agent)
}

/// The shared canned responses.
pub async fn canned() -> Result<Vec<CannedView>, ApiError> {
    get("/api/admin/canned").await
}

/// Adds a shared canned response (`id` none) or replaces one.
pub async fn save_canned(id: Option<i64>, request: &CannedRequest) -> Result<CannedView, ApiError> {
    match id {
        None => with_json(Request::post("/api/admin/canned"), request).await,
        Some(id) => with_json(Request::put(&format!("/api/admin/canned/{id}")), request).await,
    }
}

/// Removes a shared canned response.
pub async fn remove_canned(id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/admin/canned/{id}")).await
}
