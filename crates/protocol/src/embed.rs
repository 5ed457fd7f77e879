//! What a site owner pastes into their pages: the embed snippet, and the
//! Content-Security-Policy sources a page with a policy must allow for the
//! widget (README, "Content-Security-Policy for host pages", says why each
//! is needed). The console shows both; the demo page is served under them.

/// The origin (`scheme://host[:port]`) of an http(s) URL and its WebSocket
/// form (`https` → `wss`); `None` for anything else or a URL with
/// characters that have no place in an origin.
pub fn origins(url: &str) -> Option<(String, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let socket = match scheme.to_ascii_lowercase().as_str() {
        "http" => "ws",
        "https" => "wss",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let plain = authority.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    (plain && !authority.is_empty())
        .then(|| (format!("{scheme}://{authority}"), format!("{socket}://{authority}")))
}

/// The snippet for `site` with the server at `server` (an origin).
pub fn snippet(server: &str, site: &str) -> String {
    let attr = |s: &str| s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    format!(r#"<script async src="{}/widget.js" data-site="{}"></script>"#, attr(server), attr(site))
}

/// The directives a host page's policy needs for the widget of the server
/// at `server`, each with its sources; `image_urls` are the avatars the
/// widget may show (the site's bot avatar, its agents'): their origins
/// make `img-src`, with `blob:` for the pictures sent in a chat (fetched
/// with the visitor's token, shown from memory). `None` when `server` is
/// not an http(s) URL.
pub fn host_policy<'a>(
    server: &str,
    image_urls: impl IntoIterator<Item = &'a str>,
) -> Option<Vec<(&'static str, String)>> {
    let (api, socket) = origins(server)?;
    let mut images: Vec<String> = image_urls.into_iter().filter_map(|u| origins(u).map(|(o, _)| o)).collect();
    images.sort();
    images.dedup();
    let mut policy = vec![
        ("script-src", format!("{api} 'wasm-unsafe-eval'")),
        ("style-src", api.clone()),
        ("connect-src", format!("{api} {socket}")),
    ];
    images.push("blob:".to_owned());
    policy.push(("img-src", images.join(" ")));
    Some(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_the_scheme_and_authority_of_an_http_url_only() {
        let pair = |a: &str, b: &str| Some((a.to_owned(), b.to_owned()));
        assert_eq!(origins("http://127.0.0.1:8080"), pair("http://127.0.0.1:8080", "ws://127.0.0.1:8080"));
        assert_eq!(
            origins("https://chat.example.com/x/"),
            pair("https://chat.example.com", "wss://chat.example.com")
        );
        assert_eq!(origins("https://x.example\r\nSet-Cookie: a=b"), None);
        assert_eq!(origins("chat.example.com"), None);
    }

    #[test]
    fn the_snippet_escapes_what_it_quotes() {
        assert_eq!(
            snippet("https://chat.example.com", "acme"),
            r#"<script async src="https://chat.example.com/widget.js" data-site="acme"></script>"#
        );
        assert!(snippet("https://c.example", "a\"><x").contains(r#"data-site="a&quot;>&lt;x""#));
    }

    #[test]
    fn the_policy_names_the_server_its_socket_and_the_avatar_hosts() {
        let p = host_policy(
            "https://chat.example.com",
            ["https://cdn.example.net/a.png", "https://cdn.example.net/b.png", "not a url"],
        )
        .unwrap();
        assert_eq!(
            p,
            vec![
                ("script-src", "https://chat.example.com 'wasm-unsafe-eval'".to_owned()),
                ("style-src", "https://chat.example.com".to_owned()),
                ("connect-src", "https://chat.example.com wss://chat.example.com".to_owned()),
                ("img-src", "https://cdn.example.net blob:".to_owned()),
            ]
        );
        assert_eq!(
            host_policy("http://127.0.0.1:8080", []).unwrap().last(),
            Some(&("img-src", "blob:".to_owned())),
            "pictures sent in a chat are shown from memory"
        );
        assert_eq!(host_policy("ftp://x", []), None);
    }
}
