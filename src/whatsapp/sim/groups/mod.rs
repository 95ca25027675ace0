//! Groups on the simulated network, kept as WhatsApp's servers keep them (in
//! the database, so they outlive a restart), with WhatsApp's rules: only
//! members see a group, only admins change its members (and, when `locked`,
//! its subject and description; always its settings and invite link), and in
//! an `announce` group only admins write. Every change reaches the members'
//! instances as the engine's own `Event::GroupUpdate`.

use whatsapp_rust::types::events::{Event, GroupUpdate};

mod calls;
mod stored;
#[cfg(test)]
mod tests;

use super::SimNetwork;
use crate::db;
use crate::db::sim_groups::StoredGroup;
use crate::domain::phone::Jid;
use crate::whatsapp::{
    GroupChange, GroupInfo, GroupNotice, GroupRole, GroupSettings, GroupSummary, MemberAction,
    MemberResult, NewGroup, WaContact, WaError, WaEvent, model,
};
use stored::{
    admins_only, group_jid, info, member_changes, member_of, new_group_id, new_invite_code,
    not_found, store_error,
};

impl SimNetwork {
    /// Hands `update` to every connected instance of these phones.
    fn announce(&self, phones: &[String], update: GroupUpdate) {
        let event = Event::GroupUpdate(update);
        let registry = self.registry();
        for phone in phones {
            if let Some(link) = registry
                .phones
                .get(phone)
                .and_then(|instance| registry.links.get(instance))
            {
                link.reader.read(&event);
            }
        }
    }

    fn announce_notice(&self, phones: &[String], notice: &GroupNotice) -> Result<(), WaError> {
        self.announce(phones, model::group_update(notice)?);
        Ok(())
    }

    /// The group as `me` may see it: only its members do.
    pub(super) async fn member_view(
        &self,
        group: &Jid,
        me: &Jid,
    ) -> Result<(StoredGroup, GroupRole), WaError> {
        let stored = db::sim_groups::find(&self.inner.db, group.user())
            .await
            .map_err(store_error)?
            .ok_or_else(not_found)?;
        member_of(stored, me)
    }

    /// Who receives what `me` writes in the group: its other members. In an
    /// `announce` group only admins write. A group the simulated network does
    /// not keep is one of outside phones (the sim's `inbound` writes in such
    /// groups): what is sent there reaches no simulated instance.
    pub(super) async fn group_audience(
        &self,
        group: &Jid,
        me: &Jid,
    ) -> Result<Vec<String>, WaError> {
        let known = db::sim_groups::find(&self.inner.db, group.user())
            .await
            .map_err(store_error)?;
        let Some(stored) = known else {
            return Ok(Vec::new());
        };
        let (stored, role) = member_of(stored, me)?;
        if stored.group.announce && !role.is_admin() {
            return Err(WaError::NotGroupAdmin(
                "only admins can send messages to this group (announce is on)".into(),
            ));
        }
        Ok(stored
            .members
            .into_iter()
            .map(|member| member.phone)
            .filter(|phone| phone != me.user())
            .collect())
    }

    /// Names the phone's groups among its instance's chats, as the engine does
    /// once connected.
    pub(super) async fn name_groups(&self, phone: &str, sink: &crate::whatsapp::EventSink) {
        match db::sim_groups::of_phone(&self.inner.db, phone).await {
            Ok(memberships) => {
                for membership in memberships {
                    if let Ok(jid) = group_jid(&membership.group.id) {
                        sink.emit(WaEvent::Contact(WaContact {
                            jid,
                            name: membership.group.subject,
                            is_group: true,
                        }));
                    }
                }
            }
            Err(err) => tracing::warn!(error = %err, "sim groups not listed"),
        }
    }

    pub(super) async fn list(&self, me: Jid) -> Result<Vec<GroupSummary>, WaError> {
        let memberships = db::sim_groups::of_phone(&self.inner.db, me.user())
            .await
            .map_err(store_error)?;
        let mut groups = memberships
            .into_iter()
            .filter_map(|membership| {
                Some(GroupSummary {
                    id: group_jid(&membership.group.id).ok()?,
                    subject: membership.group.subject,
                    participants_count: usize::try_from(membership.members).ok()?,
                    is_admin: GroupRole::parse(&membership.role).is_admin(),
                })
            })
            .collect::<Vec<_>>();
        groups.sort_by_cached_key(|group| (group.subject.clone(), group.id.to_string()));
        Ok(groups)
    }

    pub(super) async fn create(&self, me: Jid, new: NewGroup) -> Result<GroupInfo, WaError> {
        let mut members: Vec<Jid> = Vec::with_capacity(new.participants.len());
        for person in new.participants {
            if person != me && !members.contains(&person) {
                members.push(person);
            }
        }
        let id = new_group_id();
        let group = entity::sim_groups::Model {
            id: id.clone(),
            subject: new.subject.clone(),
            description: new.description.unwrap_or_default(),
            owner: me.user().to_owned(),
            created_at: crate::domain::time::now_millis() / 1000,
            announce: false,
            locked: false,
            invite_code: new_invite_code(),
        };
        let member = |phone: &Jid, role: GroupRole| entity::sim_group_members::Model {
            group_id: id.clone(),
            phone: phone.user().to_owned(),
            role: role.as_str().to_owned(),
        };
        let mut rows = vec![member(&me, GroupRole::Superadmin)];
        rows.extend(members.iter().map(|m| member(m, GroupRole::Member)));
        // As a read of the group lists them.
        rows.sort_by(|a, b| a.phone.cmp(&b.phone));
        let stored = StoredGroup {
            group,
            members: rows,
        };
        db::sim_groups::create(&self.inner.db, &stored)
            .await
            .map_err(store_error)?;
        let jid = group_jid(&id)?;
        let phones: Vec<String> = stored.members.iter().map(|m| m.phone.clone()).collect();
        self.announce(
            &phones,
            model::group_creation(&jid, &new.subject, &me, &members)?,
        );
        info(&stored)
    }

    pub(super) async fn change(
        &self,
        me: Jid,
        id: Jid,
        settings: GroupSettings,
    ) -> Result<(), WaError> {
        let (stored, role) = self.member_view(&id, &me).await?;
        let info_change = settings.subject.is_some() || settings.description.is_some();
        let setting_change = settings.announce.is_some() || settings.locked.is_some();
        if !role.is_admin() && (setting_change || (info_change && stored.group.locked)) {
            return Err(admins_only());
        }
        let mut group = stored.group;
        if let Some(subject) = &settings.subject {
            group.subject.clone_from(subject);
        }
        if let Some(description) = &settings.description {
            group.description.clone_from(description);
        }
        group.announce = settings.announce.unwrap_or(group.announce);
        group.locked = settings.locked.unwrap_or(group.locked);
        db::sim_groups::save_settings(&self.inner.db, &group)
            .await
            .map_err(store_error)?;
        let phones: Vec<String> = stored.members.into_iter().map(|m| m.phone).collect();
        for one in settings.one_by_one() {
            let notice = GroupNotice {
                group: id.clone(),
                by: Some(me.clone()),
                change: GroupChange::Settings(one),
            };
            self.announce_notice(&phones, &notice)?;
        }
        Ok(())
    }

    pub(super) async fn members(
        &self,
        me: Jid,
        id: Jid,
        action: MemberAction,
        people: Vec<Jid>,
    ) -> Result<Vec<MemberResult>, WaError> {
        let (stored, role) = self.member_view(&id, &me).await?;
        if !role.is_admin() {
            return Err(admins_only());
        }
        let (results, to_write) = member_changes(&stored, role, action, people);
        db::sim_groups::change_members(&self.inner.db, id.user(), action, &to_write)
            .await
            .map_err(store_error)?;
        let changed: Vec<Jid> = results
            .iter()
            .filter(|r| r.ok())
            .map(|r| r.phone.clone())
            .collect();
        if !changed.is_empty() {
            // Everyone in the group before or after the change hears of it.
            let mut phones: Vec<String> = stored.members.into_iter().map(|m| m.phone).collect();
            phones.extend(changed.iter().map(|jid| jid.user().to_owned()));
            phones.sort();
            phones.dedup();
            let notice = GroupNotice {
                group: id,
                by: Some(me),
                change: GroupChange::Members {
                    action,
                    participants: changed,
                },
            };
            self.announce_notice(&phones, &notice)?;
        }
        Ok(results)
    }

    pub(super) async fn invite(&self, me: Jid, id: Jid, reset: bool) -> Result<String, WaError> {
        let (stored, role) = self.member_view(&id, &me).await?;
        if !role.is_admin() {
            return Err(admins_only());
        }
        if !reset {
            return Ok(stored.group.invite_code);
        }
        let mut group = stored.group;
        group.invite_code = new_invite_code();
        db::sim_groups::save_settings(&self.inner.db, &group)
            .await
            .map_err(store_error)?;
        Ok(group.invite_code)
    }

    pub(super) async fn join(&self, me: Jid, code: String) -> Result<Jid, WaError> {
        let group = db::sim_groups::by_invite(&self.inner.db, &code)
            .await
            .map_err(store_error)?
            .ok_or_else(|| {
                WaError::GroupNotFound(
                    "no group has this invite code (it may have been reset)".into(),
                )
            })?;
        let id = group_jid(&group.id)?;
        let joined = db::sim_groups::add_member(
            &self.inner.db,
            &group.id,
            me.user(),
            GroupRole::Member.as_str(),
        )
        .await
        .map_err(store_error)?;
        if joined {
            let phones = db::sim_groups::member_phones(&self.inner.db, &group.id)
                .await
                .map_err(store_error)?;
            let notice = GroupNotice {
                group: id.clone(),
                by: Some(me.clone()),
                change: GroupChange::Members {
                    action: MemberAction::Add,
                    participants: vec![me],
                },
            };
            self.announce_notice(&phones, &notice)?;
        }
        Ok(id)
    }

    pub(super) async fn leave(&self, me: Jid, id: Jid) -> Result<(), WaError> {
        let (stored, _) = self.member_view(&id, &me).await?;
        db::sim_groups::remove_member(&self.inner.db, id.user(), me.user())
            .await
            .map_err(store_error)?;
        let phones: Vec<String> = stored.members.into_iter().map(|m| m.phone).collect();
        let notice = GroupNotice {
            group: id,
            by: Some(me.clone()),
            change: GroupChange::Members {
                action: MemberAction::Remove,
                participants: vec![me],
            },
        };
        self.announce_notice(&phones, &notice)
    }
}
