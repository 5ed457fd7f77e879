//! The widget's network: every request to the Switchboard server goes through
//! here (the WebSocket joins it with the live chat card).

use gloo_net::http::Request;
use switchboard_protocol::site::{SiteConfig, SiteKey};
use switchboard_protocol::uploads::Failure;
use wasm_bindgen::JsCast;

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

/// Sends `file` into the visitor's open chat on `site` as a
/// `multipart/form-data` POST (`site`, `token`, `client_id`, `file`, in the
/// order the server reads them), telling `on_progress` the bytes sent so
/// far and `on_done` how it ended (the message itself comes over the
/// socket, as any message).
pub fn upload_file(
    api_base: &str,
    site: &str,
    token: &str,
    client_id: &str,
    file: &web_sys::File,
    on_progress: impl Fn(u64) + 'static,
    on_done: impl FnOnce(Result<(), Failure>) + 'static,
) {
    let form = web_sys::FormData::new().ok();
    let filled = form.as_ref().is_some_and(|f| {
        f.append_with_str("site", site).is_ok()
            && f.append_with_str("token", token).is_ok()
            && f.append_with_str("client_id", client_id).is_ok()
            && f.append_with_blob_and_filename("file", file, &file.name()).is_ok()
    });
    let (Some(form), true) = (form, filled) else { return on_done(Err(Failure::Network)) };
    let url = format!("{}/api/visitor/files", api_base.trim_end_matches('/'));
    request(&url, Body::Form(&form), Some(Box::new(on_progress)), move |status, xhr| {
        on_done(if status == 200 {
            Ok(())
        } else {
            // The error's code, when the server answered with one.
            let body = xhr.response_text().ok().flatten().unwrap_or_default();
            let json = switchboard_protocol::json::parse(&body).ok();
            let code = json.as_ref().and_then(|j| j.get("error")?.get("code")?.as_str()).unwrap_or("");
            Err(Failure::from_answer(status, code))
        });
    });
}

/// Fetches the file `id` of the visitor's conversation on `site` (a form
/// POST with their token: it never goes in a URL), for `on_done` to show
/// or save; `None` when it cannot be had.
pub fn fetch_file(
    api_base: &str,
    site: &str,
    token: &str,
    id: &str,
    on_done: impl FnOnce(Option<web_sys::Blob>) + 'static,
) {
    let encode = |s: &str| String::from(js_sys::encode_uri_component(s));
    let url = format!("{}/api/visitor/files/{}", api_base.trim_end_matches('/'), encode(id));
    let body = format!("site={}&token={}", encode(site), encode(token));
    request(&url, Body::UrlEncoded(&body), None, move |status, xhr| {
        let blob = xhr.response().ok().and_then(|r| r.dyn_into::<web_sys::Blob>().ok());
        on_done(blob.filter(|_| status == 200));
    });
}

enum Body<'a> {
    Form(&'a web_sys::FormData),
    UrlEncoded(&'a str),
}

/// A POST by XMLHttpRequest (the one browser API that tells an upload's
/// progress), its answer read as a blob; `on_done` gets the status (0 when
/// the request failed or could not start) once it is over.
fn request(
    url: &str,
    body: Body<'_>,
    on_progress: Option<Box<dyn Fn(u64)>>,
    on_done: impl FnOnce(u16, &web_sys::XmlHttpRequest) + 'static,
) {
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else { return };
    type Tick = Closure<dyn FnMut(web_sys::ProgressEvent)>;
    // Kept until the request is over.
    let tick: Rc<RefCell<Option<Tick>>> = Rc::default();
    let finish = Rc::new(RefCell::new(Some(on_done)));
    let (answered, finished, ticking) = (xhr.clone(), finish.clone(), tick.clone());
    let done = Closure::once_into_js(move |_: web_sys::ProgressEvent| {
        ticking.borrow_mut().take();
        if let Some(f) = finished.borrow_mut().take() {
            f(answered.status().unwrap_or(0), &answered);
        }
    });
    xhr.set_onloadend(Some(done.unchecked_ref()));
    let sent = xhr.open("POST", url).is_ok() && {
        if let (Some(report), Ok(up)) = (on_progress, xhr.upload()) {
            let t = Tick::new(move |e: web_sys::ProgressEvent| report(e.loaded() as u64));
            up.set_onprogress(Some(t.as_ref().unchecked_ref()));
            *tick.borrow_mut() = Some(t);
        }
        match body {
            Body::Form(form) => xhr.send_with_opt_form_data(Some(form)).is_ok(),
            Body::UrlEncoded(text) => {
                xhr.set_response_type(web_sys::XmlHttpRequestResponseType::Blob);
                xhr.set_request_header("Content-Type", "application/x-www-form-urlencoded").is_ok()
                    && xhr.send_with_opt_str(Some(text)).is_ok()
            }
        }
    };
    if !sent {
        xhr.set_onloadend(None);
        tick.borrow_mut().take();
        if let Some(f) = finish.borrow_mut().take() {
            f(0, &xhr);
        }
    }
}
