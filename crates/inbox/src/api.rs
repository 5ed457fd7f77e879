//! Every request the inbox makes to the server (same origin; the session is
//! the HttpOnly cookie the login sets).

use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use switchboard_protocol::admin::{
    AcceptInvitation, AccountToken, CannedRequest, CannedView, ErrorBody, FieldError,
};
use switchboard_protocol::auth::{AgentProfile, LoginRequest};
use switchboard_protocol::inbox::{Colleagues, ConversationDetail, ConversationSummary};

/// Why a request failed, as the UI needs to tell it.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 401: not logged in, or wrong credentials.
    Unauthorized,
    /// 404: not there, or not this agent's to see (a dead link too).
    NotFound,
    /// 400: a value refused, with the server's words for it.
    Invalid(String),
    /// Anything else (network down, 5xx).
    Failed(String),
}

/// The logged-in agent, if the session cookie is valid.
pub async fn me() -> Result<AgentProfile, ApiError> {
    get_json("/api/auth/me").await
}

/// Logs in; the server sets the session cookie.
pub async fn login(email: String, password: String) -> Result<AgentProfile, ApiError> {
    #[derive(serde::Deserialize)]
    struct LoginResponse {
        agent: AgentProfile,
    }
    let r = Request::post("/api/auth/login")
        .json(&LoginRequest { email, password })
        .map_err(|e| ApiError::Failed(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Failed(e.to_string()))?;
    match r.status() {
        200 => r.json::<LoginResponse>().await.map(|l| l.agent).map_err(|e| ApiError::Failed(e.to_string())),
        401 => Err(ApiError::Unauthorized),
        s => Err(ApiError::Failed(format!("HTTP {s}"))),
    }
}

/// What the invitation link with `token` is for and whom; `NotFound`
/// when it is unknown, used or expired.
pub async fn account_token(token: &str) -> Result<AccountToken, ApiError> {
    // In the body: a path would leave it in proxies' access logs.
    let r = Request::post("/api/account-tokens")
        .json(&serde_json::json!({ "token": token }))
        .map_err(|e| ApiError::Failed(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Failed(e.to_string()))?;
    match r.status() {
        200 => r.json().await.map_err(|e| ApiError::Failed(e.to_string())),
        404 => Err(ApiError::NotFound),
        s => Err(ApiError::Failed(format!("HTTP {s}"))),
    }
}

/// Sets an invited agent's password with their invitation's token; the
/// server signs them in (sets the session cookie) as a login does.
pub async fn accept_invitation(token: String, password: String) -> Result<AgentProfile, ApiError> {
    #[derive(serde::Deserialize)]
    struct SignedIn {
        agent: AgentProfile,
    }
    let failed = |e: gloo_net::Error| ApiError::Failed(e.to_string());
    let r = Request::post("/api/invitations/accept")
        .json(&AcceptInvitation { token, password })
        .map_err(failed)?
        .send()
        .await
        .map_err(failed)?;
    match r.status() {
        200 => r.json::<SignedIn>().await.map(|s| s.agent).map_err(failed),
        400 => {
            let body: ErrorBody = r.json().await.map_err(failed)?;
            let words = body.error.fields.into_iter().map(|f| f.message).collect::<Vec<_>>().join(" ");
            Err(ApiError::Invalid(if words.is_empty() { body.error.message } else { words }))
        }
        404 => Err(ApiError::NotFound),
        s => Err(ApiError::Failed(format!("HTTP {s}"))),
    }
}

/// Ends the session.
pub async fn logout() -> Result<(), ApiError> {
    // JSON, like every write: the server refuses a logout a plain form could forge.
    Request::post("/api/auth/logout")
        .json(&serde_json::json!({}))
        .map_err(|e| ApiError::Failed(e.to_string()))?
        .send()
        .await
        .map(|_| ())
        .map_err(|e| ApiError::Failed(e.to_string()))
}

async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let r = Request::get(url).send().await.map_err(|e| ApiError::Failed(e.to_string()))?;
    match r.status() {
        200 => r.json().await.map_err(|e| ApiError::Failed(e.to_string())),
        401 => Err(ApiError::Unauthorized),
        404 => Err(ApiError::NotFound),
        s => Err(ApiError::Failed(format!("HTTP {s}"))),
    }
}

/// The agent's own offered and active conversations.
pub async fn active() -> Result<Vec<ConversationSummary>, ApiError> {
    get_json("/api/conversations?scope=active").await
}

/// Everyone's past conversations, newest activity first.
pub async fn past() -> Result<Vec<ConversationSummary>, ApiError> {
    get_json("/api/conversations?scope=past").await
}

/// One conversation in full.
pub async fn conversation(id: i64) -> Result<ConversationDetail, ApiError> {
    get_json(&format!("/api/conversations/{id}")).await
}

/// Who a chat can be transferred to.
pub async fn colleagues() -> Result<Colleagues, ApiError> {
    get_json("/api/colleagues").await
}

/// What this agent can insert in their conversation `id`: their own
/// canned responses and the shared ones for its site and their teams.
pub async fn canned_for(id: i64) -> Result<Vec<CannedView>, ApiError> {
    get_json(&format!("/api/conversations/{id}/canned")).await
}

/// This agent's own canned responses.
pub async fn my_canned() -> Result<Vec<CannedView>, ApiError> {
    get_json("/api/canned/mine").await
}

/// Adds one of this agent's own responses (`id` none) or replaces one.
/// Refused values come back by field; any other failure as one problem
/// of no field (`""`).
pub async fn save_my_canned(id: Option<i64>, request: &CannedRequest) -> Result<CannedView, Vec<FieldError>> {
    let general = |message: String| vec![FieldError::new("", message)];
    let failed = |e: gloo_net::Error| general(e.to_string());
    let r = match id {
        None => Request::post("/api/canned/mine"),
        Some(id) => Request::put(&format!("/api/canned/mine/{id}")),
    };
    let r = r.json(request).map_err(failed)?.send().await.map_err(failed)?;
    match r.status() {
        200 | 201 => r.json().await.map_err(failed),
        400 | 409 => {
            let body: ErrorBody = r.json().await.map_err(failed)?;
            Err(if body.error.fields.is_empty() { general(body.error.message) } else { body.error.fields })
        }
        s => Err(general(format!("HTTP {s}"))),
    }
}

/// Removes one of this agent's own responses.
pub async fn remove_my_canned(id: i64) -> Result<(), ApiError> {
    let r = Request::delete(&format!("/api/canned/mine/{id}"))
        .send()
        .await
        .map_err(|e| ApiError::Failed(e.to_string()))?;
    match r.status() {
        204 | 404 => Ok(()),
        401 => Err(ApiError::Unauthorized),
        s => Err(ApiError::Failed(format!("HTTP {s}"))),
    }
}

/// Sends `file` in conversation `id` as `client_id` (the same for every
/// try, so a retry is stored once): `on_progress` gets the bytes sent so
/// far as they leave, `on_done` the stored message or why not. An XHR, not
/// `fetch`: only it tells upload progress.
pub fn upload_file(
    id: i64,
    client_id: &str,
    file: &web_sys::File,
    on_progress: impl Fn(u64) + 'static,
    on_done: impl FnOnce(Result<switchboard_protocol::wire::ChatMessage, switchboard_protocol::uploads::Failure>)
        + 'static,
) {
    use std::cell::RefCell;
    use std::rc::Rc;
    use switchboard_protocol::uploads::Failure;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let url = format!(
        "/api/conversations/{id}/files?client_id={}&name={}",
        js_sys::encode_uri_component(client_id),
        js_sys::encode_uri_component(&file.name())
    );
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else { return on_done(Err(Failure::Network)) };
    if xhr.open("POST", &url).is_err() {
        return on_done(Err(Failure::Network));
    }
    // Dropped once the request is over.
    type Tick = Closure<dyn FnMut(web_sys::ProgressEvent)>;
    let progress: Rc<RefCell<Option<Tick>>> = Rc::default();
    let tick = Tick::new(move |e: web_sys::ProgressEvent| {
        on_progress(e.loaded() as u64);
    });
    if let Ok(up) = xhr.upload() {
        up.set_onprogress(Some(tick.as_ref().unchecked_ref()));
    }
    *progress.borrow_mut() = Some(tick);
    // Called once: at the end of the request, or at once when it cannot start.
    type Done = Box<dyn FnOnce(Result<switchboard_protocol::wire::ChatMessage, Failure>)>;
    let finish: Rc<RefCell<Option<Done>>> = Rc::new(RefCell::new(Some(Box::new(on_done))));
    let (answered, finished) = (xhr.clone(), finish.clone());
    let done = Closure::once_into_js(move |_: web_sys::ProgressEvent| {
        let status = answered.status().unwrap_or(0);
        let body = answered.response_text().ok().flatten().unwrap_or_default();
        let result = if status == 200 {
            serde_json::from_str(&body).map_err(|_| Failure::Network)
        } else {
            let code = serde_json::from_str::<ErrorBody>(&body).map(|b| b.error.code).unwrap_or_default();
            Err(Failure::from_answer(status, &code))
        };
        progress.borrow_mut().take();
        if let Some(f) = finished.borrow_mut().take() {
            f(result);
        }
    });
    xhr.set_onloadend(Some(done.unchecked_ref()));
    if xhr.send_with_opt_blob(Some(file)).is_err() {
        xhr.set_onloadend(None);
        if let Some(f) = finish.borrow_mut().take() {
            f(Err(Failure::Network));
        }
    }
}
