//! The simulated network's groups: what WhatsApp's servers keep of them.

use entity::sim_group_members::{
    ActiveModel as MemberRow, Column as MemberColumn, Entity as Members, Model as Member,
};
use entity::sim_groups::{ActiveModel as GroupRow, Column, Entity as Groups, Model as Group};
use sea_orm::sea_query::{Expr, OnConflict};

use crate::domain::group::{GroupRole, MemberAction};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

/// A group with its members, in the order they joined the list.
pub struct StoredGroup {
    pub group: Group,
    pub members: Vec<Member>,
}

/// Creates the group and its first members in one transaction.
pub async fn create(db: &DatabaseConnection, stored: &StoredGroup) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    let group = stored.group.clone();
    Groups::insert(GroupRow {
        id: Set(group.id),
        subject: Set(group.subject),
        description: Set(group.description),
        owner: Set(group.owner),
        created_at: Set(group.created_at),
        announce: Set(group.announce),
        locked: Set(group.locked),
        invite_code: Set(group.invite_code),
    })
    .exec(&txn)
    .await?;
    let rows = stored.members.iter().map(|member| MemberRow {
        group_id: Set(member.group_id.clone()),
        phone: Set(member.phone.clone()),
        role: Set(member.role.clone()),
    });
    Members::insert_many(rows)
        .on_conflict_do_nothing()
        .exec(&txn)
        .await?;
    txn.commit().await
}

pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<Option<StoredGroup>, DbErr> {
    let Some(group) = Groups::find_by_id(id.to_owned()).one(db).await? else {
        return Ok(None);
    };
    let members = Members::find()
        .filter(MemberColumn::GroupId.eq(id))
        .order_by_asc(MemberColumn::Phone)
        .all(db)
        .await?;
    Ok(Some(StoredGroup { group, members }))
}

/// The phones of the group's members.
pub async fn member_phones(db: &impl ConnectionTrait, id: &str) -> Result<Vec<String>, DbErr> {
    Members::find()
        .select_only()
        .column(MemberColumn::Phone)
        .filter(MemberColumn::GroupId.eq(id))
        .into_tuple()
        .all(db)
        .await
}

/// A group a phone is in: the group, its member count and the phone's role.
pub struct Membership {
    pub group: Group,
    pub members: u64,
    pub role: String,
}

/// Every group the phone is in, in three queries whatever their number.
pub async fn of_phone(db: &impl ConnectionTrait, phone: &str) -> Result<Vec<Membership>, DbErr> {
    let roles: Vec<(String, String)> = Members::find()
        .select_only()
        .columns([MemberColumn::GroupId, MemberColumn::Role])
        .filter(MemberColumn::Phone.eq(phone))
        .into_tuple()
        .all(db)
        .await?;
    let mut memberships = Vec::with_capacity(roles.len());
    // Bound the statement's parameters, whichever database runs it.
    for chunk in roles.chunks(500) {
        let ids: Vec<&String> = chunk.iter().map(|(id, _)| id).collect();
        let groups = Groups::find()
            .filter(Column::Id.is_in(ids.iter().copied().cloned()))
            .all(db)
            .await?;
        let counts: Vec<(String, i64)> = Members::find()
            .select_only()
            .column(MemberColumn::GroupId)
            .column_as(MemberColumn::Phone.count(), "members")
            .filter(MemberColumn::GroupId.is_in(ids.iter().copied().cloned()))
            .group_by(MemberColumn::GroupId)
            .into_tuple()
            .all(db)
            .await?;
        let counts: std::collections::HashMap<String, i64> = counts.into_iter().collect();
        for group in groups {
            let role = chunk
                .iter()
                .find(|(id, _)| *id == group.id)
                .map(|(_, role)| role.clone())
                .unwrap_or_default();
            let members = counts.get(&group.id).copied().unwrap_or(0).max(0) as u64;
            memberships.push(Membership {
                group,
                members,
                role,
            });
        }
    }
    Ok(memberships)
}

/// Adds, removes, promotes or demotes these phones, in one statement.
pub async fn change_members(
    db: &impl ConnectionTrait,
    id: &str,
    action: MemberAction,
    phones: &[String],
) -> Result<(), DbErr> {
    if phones.is_empty() {
        return Ok(());
    }
    let role = match action {
        MemberAction::Add => {
            return add_members(db, id, phones, GroupRole::Member).await;
        }
        MemberAction::Remove => {
            Members::delete_many()
                .filter(MemberColumn::GroupId.eq(id))
                .filter(MemberColumn::Phone.is_in(phones.iter().cloned()))
                .exec(db)
                .await?;
            return Ok(());
        }
        MemberAction::Promote => GroupRole::Admin,
        MemberAction::Demote => GroupRole::Member,
    };
    Members::update_many()
        .col_expr(MemberColumn::Role, Expr::value(role.as_str()))
        .filter(MemberColumn::GroupId.eq(id))
        .filter(MemberColumn::Phone.is_in(phones.iter().cloned()))
        .exec(db)
        .await
        .map(drop)
}

/// Adds the phones with `role`; those already members keep theirs.
async fn add_members(
    db: &impl ConnectionTrait,
    id: &str,
    phones: &[String],
    role: GroupRole,
) -> Result<(), DbErr> {
    let rows = phones.iter().map(|phone| MemberRow {
        group_id: Set(id.to_owned()),
        phone: Set(phone.clone()),
        role: Set(role.as_str().to_owned()),
    });
    Members::insert_many(rows)
        .on_conflict(
            OnConflict::columns([MemberColumn::GroupId, MemberColumn::Phone])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map(drop)
}

/// Adds the phone as a member; false when it already was one.
pub async fn add_member(
    db: &impl ConnectionTrait,
    id: &str,
    phone: &str,
    role: &str,
) -> Result<bool, DbErr> {
    let inserted = Members::insert(MemberRow {
        group_id: Set(id.to_owned()),
        phone: Set(phone.to_owned()),
        role: Set(role.to_owned()),
    })
    .on_conflict(
        OnConflict::columns([MemberColumn::GroupId, MemberColumn::Phone])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted > 0)
}

/// Removes the phone; false when it was no member.
pub async fn remove_member(
    db: &impl ConnectionTrait,
    id: &str,
    phone: &str,
) -> Result<bool, DbErr> {
    let deleted = Members::delete_by_id((id.to_owned(), phone.to_owned()))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected > 0)
}

/// Writes the group's subject, description and settings as given.
pub async fn save_settings(db: &impl ConnectionTrait, group: &Group) -> Result<(), DbErr> {
    Groups::update_many()
        .col_expr(Column::Subject, Expr::value(group.subject.clone()))
        .col_expr(Column::Description, Expr::value(group.description.clone()))
        .col_expr(Column::Announce, Expr::value(group.announce))
        .col_expr(Column::Locked, Expr::value(group.locked))
        .col_expr(Column::InviteCode, Expr::value(group.invite_code.clone()))
        .filter(Column::Id.eq(group.id.clone()))
        .exec(db)
        .await
        .map(drop)
}

pub async fn by_invite(db: &impl ConnectionTrait, code: &str) -> Result<Option<Group>, DbErr> {
    Groups::find()
        .filter(Column::InviteCode.eq(code))
        .one(db)
        .await
}
