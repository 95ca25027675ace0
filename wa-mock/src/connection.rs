//! One client connection on `/ws/chat`: the Noise handshake, the login or
//! registration its payload asks for, then stanzas in both directions until
//! either side ends it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_ws::{Message, MessageStream, Session};
use anyhow::{anyhow, bail};
use tokio::sync::mpsc;
use whatsapp_rust::buffa::Message as _;
use whatsapp_rust::wacore_binary::node::Node;
use whatsapp_rust::waproto::whatsapp as wa;

use crate::login::{self, Admission, Who};
use crate::noise::{Answer, Pattern, TransportCipher, answer_hello};
use crate::stanzas;
use crate::stats::Stats;
use crate::wire::{FrameReader, decode_node, encode_node, frame};
use crate::world::{Conn, ToClient, World};

/// The client must speak within this time during the handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(20);
/// Largest WebSocket message accepted (the client batches frames up to 64 KiB).
const MAX_WS_MESSAGE: usize = 16 * 1024 * 1024;

static CONNECTIONS: AtomicU64 = AtomicU64::new(1);

pub async fn serve(world: Arc<World>, session: Session, stream: MessageStream) {
    let stream = stream.max_frame_size(MAX_WS_MESSAGE);
    let conn_id = CONNECTIONS.fetch_add(1, Ordering::Relaxed);
    let mut link = Link {
        session,
        stream,
        reader: FrameReader::new(),
        cipher: None,
    };
    match run(&world, conn_id, &mut link).await {
        // A network failure: no close frame, the socket just goes.
        Ok(Ending::Abrupt) => {}
        Ok(Ending::Polite) => {
            let _ = link.session.close(None).await;
        }
        Err(err) => {
            tracing::debug!(conn_id, "connection ended: {err:#}");
            let _ = link.session.close(None).await;
        }
    }
}

/// How the server ends a connection.
enum Ending {
    Polite,
    Abrupt,
}

async fn run(world: &Arc<World>, conn_id: u64, link: &mut Link) -> anyhow::Result<Ending> {
    let hello = link.next_frame(Some(HANDSHAKE_TIMEOUT)).await?;
    let established = match answer_hello(&world.identity, &hello)? {
        Answer::Established { hello, done } => {
            Stats::add(&world.stats.ik, 1);
            link.send_raw(frame(&hello)?).await?;
            done
        }
        Answer::AwaitFinish {
            hello,
            pending,
            pattern,
        } => {
            let counter = match pattern {
                Pattern::XxFallback => &world.stats.xx_fallback,
                Pattern::Xx => &world.stats.xx,
            };
            Stats::add(counter, 1);
            link.send_raw(frame(&hello)?).await?;
            let finish = link.next_frame(Some(HANDSHAKE_TIMEOUT)).await;
            let Ok(finish) = finish else {
                Stats::add(&world.stats.abandoned, 1);
                bail!("the client left after the server's hello");
            };
            pending.finish(&finish)?
        }
    };
    link.cipher = Some(established.cipher);
    let payload = wa::ClientPayload::decode_from_slice(&established.payload)
        .map_err(|err| anyhow!("the ClientPayload does not decode: {err}"))?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let conn = Conn { id: conn_id, tx };
    let who = match login::admit(world, &payload, established.client_static, conn.clone()) {
        Admission::Refused(failure) => {
            link.send(&failure).await?;
            return Ok(Ending::Polite);
        }
        Admission::Device { phone, device } => Who::Device { phone, device },
        Admission::Registering => Who::Registering { conn_id },
    };
    let ended = pump(world, link, &who, &conn, &mut rx).await;
    login::forget(world, &who, conn_id);
    ended
}

/// Stanzas both ways until either side ends the connection.
async fn pump(
    world: &Arc<World>,
    link: &mut Link,
    who: &Who,
    conn: &Conn,
    outbound: &mut mpsc::UnboundedReceiver<ToClient>,
) -> anyhow::Result<Ending> {
    let mut muted = false;
    loop {
        tokio::select! {
            order = outbound.recv() => match order {
                Some(ToClient::Mute) => muted = true,
                Some(ToClient::Node(_)) if muted => {}
                Some(ToClient::Node(node)) => link.send(&node).await?,
                Some(ToClient::Close(node)) => {
                    link.send(&node).await?;
                    return Ok(Ending::Polite);
                }
                Some(ToClient::Drop) => return Ok(Ending::Abrupt),
                None => return Ok(Ending::Polite),
            },
            inbound = link.next_frame(None) => {
                let frame = inbound?;
                if muted {
                    continue;
                }
                let cipher = link.cipher.as_mut().ok_or_else(|| anyhow!("no cipher"))?;
                let node = decode_node(&cipher.open(frame)?)?;
                stanzas::handle(world, who, conn, node);
            }
        }
    }
}

/// The WebSocket, its frames, and once the handshake is done, its cipher.
struct Link {
    session: Session,
    stream: MessageStream,
    reader: FrameReader,
    cipher: Option<TransportCipher>,
}

impl Link {
    /// The next frame from the client, reading WebSocket messages as needed.
    async fn next_frame(&mut self, deadline: Option<Duration>) -> anyhow::Result<Vec<u8>> {
        loop {
            if let Some(frame) = self.reader.next_frame() {
                return Ok(frame);
            }
            let message = match deadline {
                Some(limit) => tokio::time::timeout(limit, self.stream.recv())
                    .await
                    .map_err(|_| anyhow!("the client went quiet"))?,
                None => self.stream.recv().await,
            };
            match message {
                Some(Ok(Message::Binary(bytes))) => self.reader.feed(&bytes)?,
                Some(Ok(Message::Ping(bytes))) => {
                    let _ = self.session.pong(&bytes).await;
                }
                Some(Ok(Message::Close(_))) | None => bail!("the client closed the connection"),
                Some(Err(err)) => bail!("websocket error: {err}"),
                Some(Ok(_)) => {}
            }
        }
    }

    async fn send_raw(&mut self, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.session
            .binary(bytes)
            .await
            .map_err(|_| anyhow!("the connection is closed"))
    }

    async fn send(&mut self, node: &Node) -> anyhow::Result<()> {
        let plain = encode_node(node)?;
        let cipher = self.cipher.as_mut().ok_or_else(|| anyhow!("no cipher"))?;
        let sealed = cipher.seal(&plain)?;
        self.send_raw(frame(&sealed)?).await
    }
}
