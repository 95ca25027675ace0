use entity::contacts::{ActiveModel, Column, Entity as Contacts, Model as Contact};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::domain::phone::Jid;
use crate::domain::time::now_millis;

#[derive(Debug, Clone)]
pub struct ContactUpsert {
    pub instance_id: String,
    pub jid: Jid,
    /// Empty: keep the name already known.
    pub name: String,
    pub is_group: bool,
}

pub async fn upsert(db: &impl ConnectionTrait, contact: &ContactUpsert) -> Result<(), DbErr> {
    let number = contact.jid.user().to_owned();
    let row = ActiveModel {
        instance_id: Set(contact.instance_id.clone()),
        jid: Set(contact.jid.to_string()),
        name: Set(contact.name.clone()),
        number: Set(number),
        is_group: Set(contact.is_group),
        lid: sea_orm::NotSet,
        updated_at: Set(now_millis()),
    };
    let mut on_conflict = OnConflict::columns([Column::InstanceId, Column::Jid]);
    if contact.name.is_empty() {
        on_conflict.update_column(Column::UpdatedAt);
    } else {
        on_conflict.update_columns([Column::Name, Column::UpdatedAt]);
    }
    Contacts::insert(row)
        .on_conflict(on_conflict.to_owned())
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn list(db: &impl ConnectionTrait, instance_id: &str) -> Result<Vec<Contact>, DbErr> {
    Contacts::find()
        .filter(Column::InstanceId.eq(instance_id))
        .order_by_asc(Column::IsGroup)
        .order_by_asc(Expr::col(Column::Name))
        .order_by_asc(Column::Jid)
        .all(db)
        .await
}

/// The name the instance knows a person by; `None` when unknown or empty.
pub async fn name_of(
    db: &impl ConnectionTrait,
    instance_id: &str,
    jid: &Jid,
) -> Result<Option<String>, DbErr> {
    Ok(Contacts::find()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::Jid.eq(jid.to_string()))
        .one(db)
        .await?
        .map(|contact| contact.name)
        .filter(|name| !name.is_empty()))
}

/// People the instance still knows only by LID (their number not yet told).
pub async fn kept_as_lids(
    db: &impl ConnectionTrait,
    instance_id: &str,
    at_most: u64,
) -> Result<Vec<Jid>, DbErr> {
    let jids: Vec<String> = Contacts::find()
        .select_only()
        .column(Column::Jid)
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::Jid.like("%@lid"))
        .limit(at_most)
        .into_tuple()
        .all(db)
        .await?;
    Ok(jids
        .iter()
        .filter_map(|jid| Jid::from_whatsapp(jid))
        .collect())
}

/// The JID of the person whose LID this is, once the instance knows it.
pub async fn phone_of_lid(
    db: &impl ConnectionTrait,
    instance_id: &str,
    lid: &Jid,
) -> Result<Option<String>, DbErr> {
    Contacts::find()
        .select_only()
        .column(Column::Jid)
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::Lid.eq(lid.to_string()))
        .into_tuple()
        .one(db)
        .await
}
