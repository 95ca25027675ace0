//! One person, one chat: once the instance learns the phone number behind a
//! LID, what it kept under the LID moves to the number. The LID stays beside it
//! (`contacts.lid`, `messages.sender_lid`), so nothing WhatsApp said is lost.

use entity::contacts::{self, Entity as Contacts};
use entity::messages::{self, Entity as Messages};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::db::contacts::ContactUpsert;
use crate::domain::phone::Jid;

/// `lid` is `phone`'s LID: the phone's contact carries it, and a chat, an
/// author or a contact kept under the LID becomes the phone's.
pub async fn merge_lid(
    db: &impl ConnectionTrait,
    instance_id: &str,
    lid: &Jid,
    phone: &Jid,
) -> Result<(), DbErr> {
    let (lid_text, phone_text) = (lid.to_string(), phone.to_string());
    let under_lid = Contacts::find_by_id((instance_id.to_owned(), lid_text.clone()))
        .one(db)
        .await?;
    crate::db::contacts::upsert(
        db,
        &ContactUpsert {
            instance_id: instance_id.to_owned(),
            jid: phone.clone(),
            name: under_lid
                .as_ref()
                .map(|contact| contact.name.clone())
                .unwrap_or_default(),
            is_group: false,
        },
    )
    .await?;
    Contacts::update_many()
        .col_expr(contacts::Column::Lid, Expr::value(lid_text.clone()))
        .filter(contacts::Column::InstanceId.eq(instance_id))
        .filter(contacts::Column::Jid.eq(&phone_text))
        .exec(db)
        .await?;
    // Every chat and author kept under the LID has a contact under it (the
    // instance records one for each), so without one there is nothing to move.
    if under_lid.is_none() {
        return Ok(());
    }
    let in_instance = messages::Column::InstanceId.eq(instance_id);
    // What the person wrote under the LID keeps it as the LID they wrote by.
    Messages::update_many()
        .col_expr(messages::Column::SenderLid, Expr::value(lid_text.clone()))
        .filter(in_instance.clone())
        .filter(messages::Column::RemoteJid.eq(&lid_text))
        .filter(messages::Column::FromMe.eq(false))
        .filter(messages::Column::SenderLid.is_null())
        .exec(db)
        .await?;
    Messages::update_many()
        .col_expr(messages::Column::RemoteJid, Expr::value(phone_text.clone()))
        .filter(in_instance.clone())
        .filter(messages::Column::RemoteJid.eq(&lid_text))
        .exec(db)
        .await?;
    let kept_lid = Func::coalesce([
        Expr::col(messages::Column::SenderLid),
        Expr::value(lid_text.clone()),
    ]);
    Messages::update_many()
        .col_expr(messages::Column::Author, Expr::value(phone_text))
        .col_expr(messages::Column::SenderLid, kept_lid.into())
        .filter(in_instance)
        .filter(messages::Column::Author.eq(&lid_text))
        .exec(db)
        .await?;
    Contacts::delete_by_id((instance_id.to_owned(), lid_text))
        .exec(db)
        .await
        .map(|_| ())
}
