//! What an instance asks of its engine session: every send goes through the
//! one message model (`model::build`); the changes and questions go through
//! the client's own calls, which add what WhatsApp's servers expect around them
//! (edit attributes, community encryption, usync queries).

use futures_util::future::BoxFuture;
use whatsapp_rust::RevokeType;
use whatsapp_rust::features::{ChatStateType, PresenceStatus};
use whatsapp_rust::send::SendOptions;

use super::convert;
use super::forwarder::live_client;
use super::session::EngineSession;
use crate::domain::phone::Jid;
use crate::whatsapp::model::{self, engine_jid};
use crate::whatsapp::{
    Availability, ChatState, FetchedMedia, LidEntry, MediaRequest, NumberCheck, Outbound,
    OwnChange, Profile, ReadMark, WaError, WaSession,
};

fn failed(what: &str) -> impl Fn(anyhow::Error) -> WaError + '_ {
    move |err| WaError::Session(format!("{what}: {err}"))
}

impl WaSession for EngineSession {
    fn send(
        &self,
        message_id: &str,
        to: &Jid,
        message: Outbound,
    ) -> BoxFuture<'static, Result<(), WaError>> {
        let options = SendOptions::default().with_message_id(message_id);
        let prepared = self
            .logged_in_client()
            .and_then(|client| Ok((client, engine_jid(to)?)));
        self.on_engine(async move {
            let (client, jid) = prepared?;
            let uploaded = match &message {
                Outbound::Media { media, .. } => {
                    let kind = model::media_type(model::sent_kind(media));
                    let upload = client
                        .upload(media.bytes.to_vec(), kind, Default::default())
                        .await
                        .map_err(|err| WaError::Session(format!("media upload failed: {err}")))?;
                    Some(upload.into())
                }
                _ => None,
            };
            let built = model::build(&message, uploaded)?;
            client
                .send_message_with_options(jid, built, options)
                .await
                .map(|_| ())
                .map_err(convert::send_error)
        })
    }

    fn change(&self, chat: &Jid, change: OwnChange) -> BoxFuture<'static, Result<(), WaError>> {
        let prepared = self
            .logged_in_client()
            .and_then(|client| Ok((client, engine_jid(chat)?)));
        let chat = chat.clone();
        self.on_engine(async move {
            let (client, jid) = prepared?;
            match change {
                OwnChange::React { target, emoji } => {
                    let key = model::key(&chat, &target.message_id, &target.sender, target.from_me);
                    client
                        .send_reaction(jid, key, &emoji)
                        .await
                        .map(|_| ())
                        .map_err(convert::send_error)
                }
                OwnChange::Edit { message_id, text } => client
                    .edit_message(jid, message_id, model::text(&text))
                    .await
                    .map(|_| ())
                    .map_err(convert::send_error),
                OwnChange::Revoke { message_id } => client
                    .revoke_message(jid, message_id, RevokeType::Sender)
                    .await
                    .map_err(convert::send_error),
                OwnChange::Vote { poll, options } => {
                    let creator = engine_jid(&poll.creator)?;
                    client
                        .polls()
                        .vote(jid, &poll.message_id, &creator, &poll.secret, &options)
                        .await
                        .map(|_| ())
                        .map_err(|err| WaError::Rejected(format!("the vote was refused: {err}")))
                }
            }
        })
    }

    fn mark_read(
        &self,
        chat: &Jid,
        marks: Vec<ReadMark>,
    ) -> BoxFuture<'static, Result<(), WaError>> {
        let prepared = self
            .logged_in_client()
            .and_then(|client| Ok((client, engine_jid(chat)?)));
        let group = chat.is_group();
        self.on_engine(async move {
            let (client, jid) = prepared?;
            // In a group, each sender's messages are marked apart.
            let mut by_sender: Vec<(Option<Jid>, Vec<String>)> = Vec::new();
            for mark in marks {
                let sender = group.then_some(mark.sender);
                match by_sender.iter_mut().find(|(s, _)| *s == sender) {
                    Some((_, ids)) => ids.push(mark.message_id),
                    None => by_sender.push((sender, vec![mark.message_id])),
                }
            }
            for (sender, ids) in by_sender {
                let sender = sender.as_ref().map(engine_jid).transpose()?;
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                client
                    .mark_as_read(&jid, sender.as_ref(), &ids)
                    .await
                    .map_err(failed("marking read failed"))?;
            }
            Ok(())
        })
    }

    fn chat_state(&self, chat: &Jid, state: ChatState) -> BoxFuture<'static, Result<(), WaError>> {
        let prepared = self
            .logged_in_client()
            .and_then(|client| Ok((client, engine_jid(chat)?)));
        self.on_engine(async move {
            let (client, jid) = prepared?;
            let state = match state {
                ChatState::Composing => ChatStateType::Composing,
                ChatState::Recording => ChatStateType::Recording,
                ChatState::Paused => ChatStateType::Paused,
            };
            client
                .chatstate()
                .send(&jid, state)
                .await
                .map_err(|err| WaError::Session(format!("chat state not sent: {err}")))
        })
    }

    fn set_presence(&self, availability: Availability) -> BoxFuture<'static, Result<(), WaError>> {
        let client = self.logged_in_client();
        self.on_engine(async move {
            let status = match availability {
                Availability::Available => PresenceStatus::Available,
                Availability::Unavailable => PresenceStatus::Unavailable,
            };
            client?
                .presence()
                .set(status)
                .await
                .map_err(|err| WaError::Session(format!("presence not sent: {err}")))
        })
    }

    fn check_numbers(
        &self,
        phones: Vec<Jid>,
    ) -> BoxFuture<'static, Result<Vec<NumberCheck>, WaError>> {
        let client = self.logged_in_client();
        self.on_engine(async move {
            let client = client?;
            let jids = phones
                .iter()
                .map(engine_jid)
                .collect::<Result<Vec<_>, _>>()?;
            let found = client
                .contacts()
                .is_on_whatsapp(&jids)
                .await
                .map_err(|err| WaError::Session(format!("number check failed: {err}")))?;
            Ok(phones
                .into_iter()
                .map(|phone| {
                    let answer = found.iter().find(|r| {
                        r.jid.user == phone.user()
                            || r.pn_jid.as_ref().is_some_and(|pn| pn.user == phone.user())
                    });
                    let exists = answer.is_some_and(|r| r.is_registered);
                    NumberCheck {
                        jid: exists.then(|| phone.clone()),
                        phone,
                        exists,
                    }
                })
                .collect())
        })
    }

    fn fetch_media(
        &self,
        request: MediaRequest,
    ) -> BoxFuture<'static, Result<FetchedMedia, WaError>> {
        let client = self.logged_in_client();
        self.on_engine(async move { super::media_again::fetch(client?, request).await })
    }

    fn reachout_lock_ends(&self) -> BoxFuture<'static, Result<Option<i64>, WaError>> {
        let client = self.logged_in_client();
        self.on_engine(async move {
            let lock = client?
                .mex()
                .fetch_reachout_timelock()
                .await
                .map_err(|err| WaError::Session(format!("reach-out timelock not read: {err}")))?;
            if lock.is_active != Some(true) {
                return Ok(None);
            }
            // Unix seconds, as WhatsApp Web reads it; an ISO date is taken too.
            Ok(lock.time_enforcement_ends.as_deref().and_then(|ends| {
                ends.parse::<i64>()
                    .ok()
                    .or_else(|| crate::domain::time::parse_iso(ends).map(|ms| ms / 1000))
            }))
        })
    }

    fn lid_entry(&self, person: &Jid) -> BoxFuture<'static, Result<Option<LidEntry>, WaError>> {
        let client = live_client(&self.client);
        let jid = engine_jid(person);
        self.on_engine(async move {
            let (client, jid) = (client.ok_or(WaError::NotConnected)?, jid?);
            let entry = client
                .get_lid_pn_entry(&jid)
                .await
                .map_err(|err| WaError::Session(format!("LID map not read: {err}")))?;
            Ok(entry.map(|entry| LidEntry {
                lid: entry.lid.to_string(),
                phone: entry.phone_number.to_string(),
            }))
        })
    }

    fn profile(&self, person: &Jid) -> BoxFuture<'static, Result<Profile, WaError>> {
        let prepared = self
            .logged_in_client()
            .and_then(|client| Ok((client, engine_jid(person)?)));
        self.on_engine(async move {
            let (client, jid) = prepared?;
            let contacts = client.contacts();
            let info = contacts
                .get_user_info(std::slice::from_ref(&jid))
                .await
                .map_err(|err| WaError::Session(format!("profile not read: {err}")))?;
            let about = info.values().next().and_then(|i| i.status.clone());
            // A hidden or missing picture is no error: it is null.
            let picture = contacts
                .get_profile_picture(&jid, false)
                .await
                .ok()
                .flatten();
            Ok(Profile {
                name: None,
                about,
                picture_url: picture.map(|p| p.url),
            })
        })
    }

    fn inbound_age(&self) -> Option<std::time::Duration> {
        let last = self.logged_in_client().ok()?.stats().last_data_received_ms;
        let now = u64::try_from(crate::domain::time::now_millis()).ok()?;
        (last > 0).then(|| std::time::Duration::from_millis(now.saturating_sub(last)))
    }

    /// The block list: one IQ WhatsApp always answers.
    fn probe(&self) -> BoxFuture<'static, Result<(), WaError>> {
        let client = self.logged_in_client();
        self.on_engine(async move {
            client?
                .blocking()
                .get_blocklist()
                .await
                .map(|_| ())
                .map_err(|err| WaError::Session(format!("no answer to the probe: {err}")))
        })
    }

    fn set_blocked(&self, person: &Jid, blocked: bool) -> BoxFuture<'static, Result<(), WaError>> {
        let prepared = self
            .logged_in_client()
            .and_then(|client| Ok((client, engine_jid(person)?)));
        self.on_engine(async move {
            let (client, jid) = prepared?;
            let blocking = client.blocking();
            let done = if blocked {
                blocking.block(&jid).await
            } else {
                blocking.unblock(&jid).await
            };
            done.map_err(|err| WaError::Session(format!("block list not changed: {err}")))
        })
    }

    fn pair_with_code(&self, phone: &str) -> BoxFuture<'static, Result<String, WaError>> {
        let client = live_client(&self.client);
        let options = whatsapp_rust::pair_code::PairCodeOptions {
            phone_number: phone.to_owned(),
            ..Default::default()
        };
        self.on_engine(async move {
            let client = client.ok_or(WaError::NotConnected)?;
            // Asking again means the caller wants a fresh code (the first was lost,
            // mistyped, or is still being checked): the engine refuses a second
            // code while one is live, so the old flow is retired first and a phone
            // that enters the old code links nothing.
            client.cancel_pair_code().await;
            let code = client
                .pair_with_code(options)
                .await
                .map_err(|err| WaError::Rejected(format!("pairing code refused: {err}")))?;
            Ok(convert::pairing_code(&code))
        })
    }

    fn logout(&self) -> BoxFuture<'static, ()> {
        let client = live_client(&self.client);
        let logged_out = self.on_engine(async move {
            if let Some(client) = client {
                client.logout().await;
            }
            Ok(())
        });
        let stopped = self.stop_and_wait();
        Box::pin(async move {
            let _ = tokio::time::timeout(super::session::SHUTDOWN_TIMEOUT, logged_out).await;
            stopped.await;
        })
    }

    fn shutdown(&self) -> BoxFuture<'static, ()> {
        self.stop_and_wait()
    }
}
