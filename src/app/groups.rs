//! What an instance does with its groups: list, read, create and change them,
//! their members and invite links, joining and leaving. Each is asked of the
//! instance's session (WhatsApp keeps groups, not wamux); what happens in them
//! comes back as events.

use super::Deps;
use super::access::{Caller, live_instance, on_session};
use super::idempotency::{self, IdempotencyKey, Idempotent, fingerprint};
use crate::actors::instance::SessionFn;
use crate::domain::phone::Jid;
use crate::error::{ApiError, ErrorCode};
use crate::whatsapp::{
    GroupInfo, GroupSettings, GroupSummary, MemberAction, MemberResult, NewGroup, WaError,
};

/// How long a group call may wait for WhatsApp: its own queries give up
/// sooner, so this only bounds a session that stopped answering.
const WHATSAPP_ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);

pub struct Groups<'a> {
    deps: &'a Deps,
}

/// How a refusal reads at the API.
fn group_error(err: WaError) -> ApiError {
    let message = err.to_string();
    match err {
        WaError::NotConnected => ApiError::new(ErrorCode::InstanceNotConnected, message),
        WaError::GroupNotFound(_) => ApiError::new(ErrorCode::GroupNotFound, message),
        WaError::NotGroupAdmin(_) => ApiError::new(ErrorCode::NotGroupAdmin, message),
        WaError::Rejected(reason) | WaError::Session(reason) => ApiError::new(
            ErrorCode::WhatsappError,
            format!("WhatsApp refused the group operation: {reason}"),
        ),
    }
}

impl<'a> Groups<'a> {
    pub(super) fn new(deps: &'a Deps) -> Self {
        Self { deps }
    }

    /// Runs `call` on the instance's session, when it is connected, within the
    /// request deadline.
    async fn on_session<T: Send + 'static>(
        &self,
        caller: &Caller,
        instance_id: &str,
        call: impl SessionFn<T>,
    ) -> Result<T, ApiError> {
        let instance = live_instance(self.deps, caller, instance_id)?;
        let late = "WhatsApp did not answer in time; try again";
        on_session(&instance, WHATSAPP_ANSWER_TIMEOUT, late, call)
            .await?
            .map_err(group_error)
    }

    pub async fn list(
        &self,
        caller: &Caller,
        instance_id: &str,
    ) -> Result<Vec<GroupSummary>, ApiError> {
        self.on_session(caller, instance_id, |session| session.groups())
            .await
    }

    pub async fn get(
        &self,
        caller: &Caller,
        instance_id: &str,
        group: &Jid,
    ) -> Result<GroupInfo, ApiError> {
        let group = group.clone();
        self.on_session(caller, instance_id, move |session| session.group(&group))
            .await
    }

    /// Creates the group once per `Idempotency-Key`: a retried creation gets
    /// the first answer (`answer` renders it) instead of a second group.
    pub async fn create<T: serde::Serialize>(
        &self,
        caller: &Caller,
        instance_id: &str,
        key: Option<IdempotencyKey>,
        group: NewGroup,
        answer: impl FnOnce(GroupInfo) -> T,
    ) -> Result<Idempotent, ApiError> {
        live_instance(self.deps, caller, instance_id)?;
        let participants: Vec<String> = group.participants.iter().map(Jid::to_string).collect();
        let print = fingerprint(&[
            b"group",
            group.subject.as_bytes(),
            participants.join(",").as_bytes(),
            group.description.as_deref().unwrap_or_default().as_bytes(),
        ]);
        let creating = async {
            let created = self
                .on_session(caller, instance_id, move |session| {
                    session.create_group(group)
                })
                .await?;
            Ok(answer(created))
        };
        let created = async move { creating.await.map(|group| (201, group)) };
        idempotency::once_with_status(self.deps, instance_id, key, &print, created).await
    }

    /// Changes what is given and answers the group as it is now.
    pub async fn update(
        &self,
        caller: &Caller,
        instance_id: &str,
        group: &Jid,
        settings: GroupSettings,
    ) -> Result<GroupInfo, ApiError> {
        let id = group.clone();
        self.on_session(caller, instance_id, move |session| {
            Box::pin(async move {
                if !settings.is_empty() {
                    session.change_group(&id, settings).await?;
                }
                session.group(&id).await
            })
        })
        .await
    }

    pub async fn members(
        &self,
        caller: &Caller,
        instance_id: &str,
        group: &Jid,
        action: MemberAction,
        people: Vec<Jid>,
    ) -> Result<Vec<MemberResult>, ApiError> {
        let group = group.clone();
        self.on_session(caller, instance_id, move |session| {
            session.change_members(&group, action, people)
        })
        .await
    }

    pub async fn invite(
        &self,
        caller: &Caller,
        instance_id: &str,
        group: &Jid,
        reset: bool,
    ) -> Result<String, ApiError> {
        let group = group.clone();
        self.on_session(caller, instance_id, move |session| {
            session.invite_code(&group, reset)
        })
        .await
    }

    pub async fn join(
        &self,
        caller: &Caller,
        instance_id: &str,
        code: &str,
    ) -> Result<Jid, ApiError> {
        let code = code.to_owned();
        self.on_session(caller, instance_id, move |session| {
            session.join_group(&code)
        })
        .await
    }

    pub async fn leave(
        &self,
        caller: &Caller,
        instance_id: &str,
        group: &Jid,
    ) -> Result<(), ApiError> {
        let group = group.clone();
        self.on_session(caller, instance_id, move |session| {
            session.leave_group(&group)
        })
        .await
    }
}
