//! What an instance asks of its simulated session: each is carried between
//! the simulated phones as WhatsApp carries it, built by the same message model
//! the engine sends with.

use futures_util::future::BoxFuture;
use tokio::sync::oneshot;

use super::session::SimSession;
use super::{Command, SimError};
use crate::db;
use crate::domain::phone::Jid;
use crate::whatsapp::{
    Availability, ChatState, FetchedMedia, LidEntry, MediaRequest, NumberCheck, Outbound,
    OwnChange, Profile, ReadMark, WaError, WaSession, model, new_message_id,
};

fn ready<T: Send + 'static>(value: Result<T, WaError>) -> BoxFuture<'static, Result<T, WaError>> {
    Box::pin(std::future::ready(value))
}

impl WaSession for SimSession {
    fn send(
        &self,
        message_id: &str,
        to: &Jid,
        message: Outbound,
    ) -> BoxFuture<'static, Result<(), WaError>> {
        let network = self.network.clone();
        let (instance_id, token) = (self.instance_id.clone(), self.token);
        let (id, to) = (message_id.to_owned(), to.clone());
        let me = network.own_jid(&instance_id, token);
        Box::pin(async move {
            if let Some(delay) = network.take_delay(&instance_id, token) {
                tokio::time::sleep(delay).await;
            }
            let audience = match to.is_group() {
                true => network.group_audience(&to, &me?).await?,
                false => Vec::new(),
            };
            let uploaded = match &message {
                Outbound::Media { media, .. } => Some(network.upload(media).await?),
                _ => None,
            };
            let upload = uploaded.as_ref().map(|u| u.direct_path.clone());
            let built = model::build(&message, uploaded)?;
            let received = network.send(&instance_id, token, &id, &to, built, true, &audience)?;
            if let Some(path) = upload.filter(|_| !received) {
                // Nobody on the simulated network will download it: as on
                // WhatsApp, the media stays on servers outside this process.
                network.inner.media.expire(&path);
            }
            Ok(())
        })
    }

    fn change(&self, chat: &Jid, change: OwnChange) -> BoxFuture<'static, Result<(), WaError>> {
        let built = match change {
            OwnChange::React { target, emoji } => Ok(model::reaction(
                model::key(chat, &target.message_id, &target.sender, target.from_me),
                &emoji,
            )),
            OwnChange::Edit { message_id, text } => Ok(model::edit(chat, &message_id, &text)),
            OwnChange::Revoke { message_id } => Ok(model::revoke(chat, &message_id)),
            OwnChange::Vote { poll, options } => self
                .network
                .own_jid(&self.instance_id, self.token)
                .and_then(|voter| model::vote(chat, &poll, &voter, &options)),
        };
        let network = self.network.clone();
        let (instance_id, token, chat) = (self.instance_id.clone(), self.token, chat.clone());
        Box::pin(async move {
            let message = built?;
            let audience = match chat.is_group() {
                true => {
                    let me = network.own_jid(&instance_id, token)?;
                    network.group_audience(&chat, &me).await?
                }
                false => Vec::new(),
            };
            network
                .send(
                    &instance_id,
                    token,
                    &new_message_id(),
                    &chat,
                    message,
                    false,
                    &audience,
                )
                .map(drop)
        })
    }

    fn mark_read(
        &self,
        chat: &Jid,
        marks: Vec<ReadMark>,
    ) -> BoxFuture<'static, Result<(), WaError>> {
        ready(
            self.network
                .mark_read(&self.instance_id, self.token, chat, marks),
        )
    }

    fn chat_state(&self, chat: &Jid, state: ChatState) -> BoxFuture<'static, Result<(), WaError>> {
        ready(
            self.network
                .chat_state(&self.instance_id, self.token, chat, state),
        )
    }

    fn set_presence(&self, availability: Availability) -> BoxFuture<'static, Result<(), WaError>> {
        ready(
            self.network
                .set_presence(&self.instance_id, self.token, availability),
        )
    }

    fn check_numbers(
        &self,
        phones: Vec<Jid>,
    ) -> BoxFuture<'static, Result<Vec<NumberCheck>, WaError>> {
        let network = self.network.clone();
        let connected = network.own_jid(&self.instance_id, self.token);
        Box::pin(async move {
            connected?;
            network.check_numbers(phones).await
        })
    }

    /// The simulated media server never drops a file, so nothing is re-uploaded.
    fn fetch_media(
        &self,
        request: MediaRequest,
    ) -> BoxFuture<'static, Result<FetchedMedia, WaError>> {
        let connected = self.network.own_jid(&self.instance_id, self.token);
        let download = self
            .network
            .downloads()
            .download(Box::new(request.location));
        Box::pin(async move {
            connected?;
            let bytes = download
                .await
                .map_err(|err| WaError::Session(format!("the media download failed: {err}")))?;
            Ok(FetchedMedia {
                bytes,
                moved_to: None,
            })
        })
    }

    fn lid_entry(&self, person: &Jid) -> BoxFuture<'static, Result<Option<LidEntry>, WaError>> {
        let network = self.network.clone();
        let connected = network.own_jid(&self.instance_id, self.token);
        let person = person.clone();
        Box::pin(async move {
            connected?;
            network.lid_entry(&person).await
        })
    }

    fn profile(&self, person: &Jid) -> BoxFuture<'static, Result<Profile, WaError>> {
        let network = self.network.clone();
        let connected = network.own_jid(&self.instance_id, self.token);
        let person = person.clone();
        Box::pin(async move {
            connected?;
            network.profile(&person).await
        })
    }

    fn set_blocked(&self, person: &Jid, blocked: bool) -> BoxFuture<'static, Result<(), WaError>> {
        let network = self.network.clone();
        let (instance_id, token) = (self.instance_id.clone(), self.token);
        let person = person.clone();
        Box::pin(async move {
            network
                .set_blocked(&instance_id, token, &person, blocked)
                .await
        })
    }

    fn pair_with_code(&self, _phone: &str) -> BoxFuture<'static, Result<String, WaError>> {
        let (reply, answer) = oneshot::channel();
        let sent = self.control.send(Box::new(Command::PairCode { reply }));
        Box::pin(async move {
            sent.map_err(|_| WaError::NotConnected)?;
            match answer.await {
                Ok(Ok(code)) => Ok(code),
                Ok(Err(err)) => Err(WaError::Rejected(err.to_string())),
                Err(_) => Err(WaError::NotConnected),
            }
        })
    }

    fn logout(&self) -> BoxFuture<'static, ()> {
        let network = self.network.clone();
        let (instance_id, token) = (self.instance_id.clone(), self.token);
        let _ = self.control.send(Box::new(Command::Stop));
        Box::pin(async move {
            network.unregister(&instance_id, token);
            if let Err(err) = db::sim_sessions::delete(&network.inner.db, &instance_id).await {
                tracing::warn!(instance_id, error = %err, "sim logout could not forget the pairing");
            }
        })
    }

    fn shutdown(&self) -> BoxFuture<'static, ()> {
        let _ = self.control.send(Box::new(Command::Stop));
        self.network.unregister(&self.instance_id, self.token);
        Box::pin(std::future::ready(()))
    }
}

impl From<SimError> for WaError {
    fn from(err: SimError) -> Self {
        match err {
            SimError::NoSession | SimError::NotConnected => Self::NotConnected,
            other => Self::Session(other.to_string()),
        }
    }
}
