//! Opening sockets as a widget and an inbox would: a TCP connection from one
//! of several loopback source addresses (one address has only ~28,000
//! ephemeral ports), then the WebSocket upgrade with the headers the server
//! checks, then `hello` → `welcome`.

use anyhow::{bail, Context};
use futures_util::{SinkExt, StreamExt};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use switchboard_protocol::wire::{AgentIn, AgentOut, VisitorIn, VisitorOut};
use switchboard_protocol::PROTOCOL_VERSION;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::server::{ORIGIN, SITE};

/// A client WebSocket over plain TCP.
pub type Ws = WebSocketStream<TcpStream>;

/// Sockets opened from one source address before moving to the next.
const PER_SOURCE: usize = 20_000;

/// How long a handshake or an expected frame may take.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// The source address of the `n`-th socket: 127.0.0.1, then .2, … every
/// [`PER_SOURCE`] sockets.
pub fn source(n: usize) -> Ipv4Addr {
    let host = 1 + n / PER_SOURCE;
    Ipv4Addr::new(127, 0, (host / 250) as u8, (host % 250) as u8)
}

/// Opens a WebSocket to `url` (`ws://…`) from `source` with `headers`.
async fn open(
    url: &str,
    server: SocketAddr,
    source: Ipv4Addr,
    headers: &[(&'static str, &str)],
) -> anyhow::Result<Ws> {
    let socket = TcpSocket::new_v4()?;
    socket.bind((source, 0).into()).with_context(|| format!("binding {source}"))?;
    let tcp = socket.connect(server).await.with_context(|| format!("connecting from {source}"))?;
    tcp.set_nodelay(true)?;
    let mut request = url.into_client_request()?;
    for (k, v) in headers {
        request.headers_mut().insert(*k, v.parse()?);
    }
    // Small buffers: the generator holds as many sockets as the server.
    let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
    let (ws, _) = tokio_tungstenite::client_async_with_config(request, tcp, Some(config))
        .await
        .context("WebSocket handshake")?;
    Ok(ws)
}

/// Sends one frame as JSON text.
pub async fn send<T: serde::Serialize>(ws: &mut Ws, frame: &T) -> anyhow::Result<()> {
    ws.send(Message::Text(serde_json::to_string(frame)?.into())).await?;
    Ok(())
}

/// The next text frame, parsed; fails after [`STEP_TIMEOUT`] or on close.
pub async fn recv<T: serde::de::DeserializeOwned>(ws: &mut Ws) -> anyhow::Result<T> {
    loop {
        let msg = tokio::time::timeout(STEP_TIMEOUT, ws.next())
            .await
            .context("timed out waiting for a frame")?
            .context("the server closed the socket")??;
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).with_context(|| format!("parsing {t}"));
        }
    }
}

/// A visitor socket for the load site, greeted: `hello` → `welcome`.
pub async fn visitor(server: SocketAddr, source: Ipv4Addr) -> anyhow::Result<Ws> {
    let url = format!("ws://{server}/ws/visitor?site={SITE}");
    let mut ws = open(&url, server, source, &[("Origin", ORIGIN)]).await?;
    send(&mut ws, &VisitorIn::Hello { protocol: PROTOCOL_VERSION, token: None, last_seq: 0, epoch: None })
        .await?;
    match recv(&mut ws).await? {
        VisitorOut::Welcome { .. } => Ok(ws),
        other => bail!("expected welcome, got {other:?}"),
    }
}

/// What a server answered a visitor's hello.
pub enum Greeting {
    /// Welcome, with the token to keep (the socket boxed: it is large).
    Welcome(Box<Ws>, String),
    /// Anything else (an unknown token is refused with an error frame).
    Refused(String),
}

/// A visitor socket greeted with `token` (resuming that visitor) or
/// without (a new one). An error is a connection that failed, to try again.
pub async fn visitor_as(
    server: SocketAddr,
    source: Ipv4Addr,
    token: Option<&str>,
) -> anyhow::Result<Greeting> {
    let url = format!("ws://{server}/ws/visitor?site={SITE}");
    let mut ws = open(&url, server, source, &[("Origin", ORIGIN)]).await?;
    let token = token.map(str::to_owned);
    send(&mut ws, &VisitorIn::Hello { protocol: PROTOCOL_VERSION, token, last_seq: 0, epoch: None }).await?;
    Ok(match recv(&mut ws).await? {
        VisitorOut::Welcome { token, .. } => Greeting::Welcome(Box::new(ws), token),
        other => Greeting::Refused(format!("{other:?}")),
    })
}

/// Logs an agent in over HTTP; returns the session token.
pub async fn login(http: &reqwest::Client, url: &str, email: &str, password: &str) -> anyhow::Result<String> {
    let r = http
        .post(format!("{url}/api/auth/login"))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await?
        .error_for_status()
        .with_context(|| format!("logging {email} in"))?;
    let body: serde_json::Value = r.json().await?;
    body["token"].as_str().map(str::to_owned).context("no token in the login answer")
}

/// An agent's inbox socket, greeted: `hello` → `welcome`.
pub async fn agent(url: &str, server: SocketAddr, source: Ipv4Addr, token: &str) -> anyhow::Result<Ws> {
    let bearer = format!("Bearer {token}");
    let ws_url = format!("ws://{server}/ws/agent");
    let mut ws = open(&ws_url, server, source, &[("Authorization", &bearer), ("Origin", url)]).await?;
    send(&mut ws, &AgentIn::Hello { protocol: PROTOCOL_VERSION }).await?;
    match recv(&mut ws).await? {
        AgentOut::Welcome { .. } => Ok(ws),
        other => bail!("expected welcome, got {other:?}"),
    }
}

/// Raises this process's open-file limit to at least `want` if it can (root
/// may raise the hard limit too); returns the soft limit in force. Children
/// (the server) inherit it.
pub fn raise_fd_limit(want: u64) -> u64 {
    use rlimit::Resource;
    let (soft, hard) = Resource::NOFILE.get().unwrap_or((1024, 1024));
    if soft >= want {
        return soft;
    }
    if hard < want && Resource::NOFILE.set(want, want).is_ok() {
        return want;
    }
    let target = want.min(hard);
    if Resource::NOFILE.set(target, hard).is_ok() {
        target
    } else {
        soft
    }
}
