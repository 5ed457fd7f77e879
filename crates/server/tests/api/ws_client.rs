//! Typed WebSocket clients for the tests: the visitor's and the agent's.

use futures_util::{SinkExt, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::marker::PhantomData;
use std::time::Duration;
use switchboard_protocol::wire::{AgentIn, AgentOut, ConversationState, VisitorIn, VisitorOut};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

pub struct WsClient<I, O> {
    ws: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    _types: PhantomData<(I, O)>,
}

pub type VisitorClient = WsClient<VisitorIn, VisitorOut>;
pub type AgentClient = WsClient<AgentIn, AgentOut>;

async fn open<I, O>(url: String, headers: &[(&'static str, &str)]) -> Result<WsClient<I, O>, u16> {
    let mut request = url.into_client_request().unwrap();
    for (k, v) in headers {
        request.headers_mut().insert(*k, v.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((ws, _)) => Ok(WsClient { ws, _types: PhantomData }),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
        Err(e) => panic!("connecting: {e}"),
    }
}

/// A visitor socket for `site` from a page on `origin`, or the refusal status.
pub async fn connect(api: &str, site: &str, origin: &str) -> Result<VisitorClient, u16> {
    open(format!("{}/ws/visitor?site={site}", api.replace("http://", "ws://")), &[("Origin", origin)]).await
}

/// A visitor socket for `site` from a page on `origin`, opened from the
/// local address `source` (say 127.0.0.2: another client), or the refusal status.
pub async fn connect_from(
    api: &str,
    site: &str,
    origin: &str,
    source: [u8; 4],
) -> Result<VisitorClient, u16> {
    let url = format!("{}/ws/visitor?site={site}", api.replace("http://", "ws://"));
    let server: std::net::SocketAddr = api.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((std::net::Ipv4Addr::from(source), 0).into()).unwrap();
    let tcp = socket.connect(server).await.unwrap();
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("Origin", origin.parse().unwrap());
    match tokio_tungstenite::client_async(request, tokio_tungstenite::MaybeTlsStream::Plain(tcp)).await {
        Ok((ws, _)) => Ok(WsClient { ws, _types: PhantomData }),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
        Err(e) => panic!("connecting: {e}"),
    }
}

/// An agent socket with a session `token` (as a bearer token), or the refusal status.
pub async fn connect_agent(api: &str, token: Option<&str>, origin: Option<&str>) -> Result<AgentClient, u16> {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = Vec::new();
    if let Some(b) = &bearer {
        headers.push(("Authorization", b.as_str()));
    }
    if let Some(o) = origin {
        headers.push(("Origin", o));
    }
    open(format!("{}/ws/agent", api.replace("http://", "ws://")), &headers).await
}

impl<I: Serialize, O: DeserializeOwned> WsClient<I, O> {
    pub async fn send(&mut self, frame: &I) {
        self.send_raw(serde_json::to_string(frame).unwrap()).await;
    }

    pub async fn send_raw(&mut self, text: String) {
        self.ws.send(Message::Text(text.into())).await.unwrap();
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.ws.send(Message::Binary(bytes.into())).await.unwrap();
    }

    /// The next frame; fails the test after 5 s.
    pub async fn recv(&mut self) -> O {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(5), self.ws.next())
                .await
                .expect("timed out waiting for a frame")
                .expect("the socket closed")
                .expect("a WebSocket error");
            if let Message::Text(t) = msg {
                return serde_json::from_str(&t).unwrap_or_else(|e| panic!("{e}: {t}"));
            }
        }
    }

    /// Asserts nothing arrives for `ms` milliseconds.
    pub async fn silent_for(&mut self, ms: u64) {
        if let Ok(Some(Ok(Message::Text(t)))) =
            tokio::time::timeout(Duration::from_millis(ms), self.ws.next()).await
        {
            panic!("expected silence, got {t}");
        }
    }

    /// Whether the server closed the socket (close frame or end) within `secs`.
    pub async fn closed_within(&mut self, secs: u64) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// The close code the server closed the socket with within `secs`
    /// (frames before it are skipped); `None` when it stayed open or ended
    /// without a close frame.
    pub async fn close_code_within(&mut self, secs: u64) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) | Ok(None | Some(Err(_))) => return None,
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Every text frame until the server closes the socket (at most `secs`).
    pub async fn frames_until_closed(&mut self, secs: u64) -> Vec<O> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        let mut frames = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => panic!("still open after {secs} s"),
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return frames,
                Ok(Some(Ok(Message::Text(t)))) => frames.push(serde_json::from_str(&t).unwrap()),
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

impl VisitorClient {
    /// Says hello; returns the whole welcome frame.
    pub async fn welcome(&mut self, token: Option<&str>, last_seq: u64) -> VisitorOut {
        self.send(&VisitorIn::Hello { protocol: 1, token: token.map(str::to_owned), last_seq, epoch: None })
            .await;
        self.recv().await
    }

    /// Says hello; returns the token and the conversation state.
    pub async fn hello(&mut self, token: Option<&str>, last_seq: u64) -> (String, Option<ConversationState>) {
        self.send(&VisitorIn::Hello { protocol: 1, token: token.map(str::to_owned), last_seq, epoch: None })
            .await;
        match self.recv().await {
            VisitorOut::Welcome { token, state, .. } => (token, state),
            other => panic!("expected welcome, got {other:?}"),
        }
    }
}

impl AgentClient {
    /// Accepts an offer; the server confirms with the active state.
    pub async fn accept(&mut self, conversation: i64) {
        self.send(&AgentIn::Accept { conversation }).await;
        assert_eq!(self.recv().await, AgentOut::State { conversation, state: ConversationState::Active });
    }

    /// Says hello; returns the agent's name.
    pub async fn hello(&mut self) -> String {
        self.send(&AgentIn::Hello { protocol: 1 }).await;
        match self.recv().await {
            AgentOut::Welcome { agent, .. } => agent.name,
            other => panic!("expected welcome, got {other:?}"),
        }
    }
}
