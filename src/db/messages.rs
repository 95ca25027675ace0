use entity::messages::{ActiveModel, Column, Entity as Messages, Model as Message};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set,
};

pub use entity::messages::{MessageStatus, MessageType};

use crate::domain::kinds::MessageDetails;
use crate::domain::phone::Jid;

/// Statuses a receipt may move forward from: sent -> delivered -> read, never back.
fn predecessors(status: MessageStatus) -> &'static [MessageStatus] {
    match status {
        MessageStatus::Delivered => &[MessageStatus::Pending, MessageStatus::Sent],
        MessageStatus::Read => &[
            MessageStatus::Pending,
            MessageStatus::Sent,
            MessageStatus::Delivered,
        ],
        _ => &[],
    }
}

#[derive(Debug, Clone)]
pub struct NewMessage {
    pub id: String,
    pub instance_id: String,
    pub remote_jid: Jid,
    pub from_me: bool,
    pub message_type: MessageType,
    pub content: String,
    pub message_id: Option<String>,
    pub media: Option<StoredMedia>,
    pub push_name: Option<String>,
    /// The LID WhatsApp addressed the sender by, when it did.
    pub sender_lid: Option<Jid>,
    pub status: MessageStatus,
    pub created_at: i64,
    /// The message this one replies to.
    pub quoted_message_id: Option<String>,
    pub details: MessageDetails,
    /// A poll's secret.
    pub message_secret: Option<Vec<u8>>,
    /// Who wrote it, in a group chat.
    pub author: Option<Jid>,
}

#[derive(Debug, Clone)]
pub struct StoredMedia {
    pub mimetype: String,
    pub size: u64,
    pub filename: Option<String>,
    pub path: Option<String>,
    /// Received media: where WhatsApp keeps it (JSON), to fetch it again.
    pub source: Option<String>,
}

/// The row `message` is written as, alone or in a batch.
pub fn active_model(message: &NewMessage) -> ActiveModel {
    let media = message.media.as_ref();
    ActiveModel {
        id: Set(message.id.clone()),
        instance_id: Set(message.instance_id.clone()),
        remote_jid: Set(message.remote_jid.to_string()),
        from_me: Set(message.from_me),
        message_type: Set(message.message_type),
        content: Set(message.content.clone()),
        message_id: Set(message.message_id.clone()),
        has_media: Set(media.is_some()),
        media_mimetype: Set(media.map(|m| m.mimetype.clone())),
        media_size: Set(media.map(|m| i64::try_from(m.size).unwrap_or(i64::MAX))),
        media_filename: Set(media.and_then(|m| m.filename.clone())),
        media_path: Set(media.and_then(|m| m.path.clone())),
        media_source: Set(media.and_then(|m| m.source.clone())),
        push_name: Set(message.push_name.clone()),
        sender_lid: Set(message.sender_lid.as_ref().map(Jid::to_string)),
        status: Set(message.status),
        created_at: Set(message.created_at),
        quoted_message_id: Set(message.quoted_message_id.clone()),
        edited_at: Set(None),
        revoked: Set(false),
        details: Set(message.details.to_json()),
        message_secret: Set(message.message_secret.as_deref().map(hex::encode)),
        author: Set(message.author.as_ref().map(Jid::to_string)),
        error_code: Set(None),
        error_reason: Set(None),
    }
}

/// What was done to a stored message after it was stored.
#[derive(Debug, Clone)]
pub enum Amendment {
    /// `emoji` empty: the reaction is taken back.
    Reaction {
        from: String,
        emoji: String,
    },
    Edit {
        body: String,
        at: i64,
    },
    Revoke,
    /// No options: the vote is taken back.
    Vote {
        voter: String,
        options: Vec<String>,
    },
}

/// Applies `amendment` to the instance's message with that WhatsApp id; a
/// message this server never stored is left unknown (nothing to change).
pub async fn amend(
    db: &impl ConnectionTrait,
    instance_id: &str,
    message_id: &str,
    amendment: &Amendment,
) -> Result<(), DbErr> {
    let Some(row) = Messages::find()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::MessageId.eq(message_id))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let mut details = MessageDetails::from_json(row.details.as_deref());
    let mut update: ActiveModel = row.clone().into();
    match amendment {
        Amendment::Reaction { from, emoji } => details.react(from, emoji),
        Amendment::Vote { voter, options } => details.vote(voter, options.clone()),
        Amendment::Edit { body, at } => {
            if row.revoked {
                return Ok(());
            }
            update.content = Set(body.clone());
            update.edited_at = Set(Some(*at));
        }
        Amendment::Revoke => {
            // Deleted for everyone: the row keeps its place, not what it said.
            update.revoked = Set(true);
            update.content = Set(String::new());
            details.location = None;
            details.contacts.clear();
            details.mentions.clear();
        }
    }
    update.details = Set(details.to_json());
    update.update(db).await.map(|_| ())
}

/// The instance's received messages of `chat` not yet marked read: those
/// named, or all of them.
pub async fn unread(
    db: &impl ConnectionTrait,
    instance_id: &str,
    remote_jid: &str,
    message_ids: Option<&[String]>,
) -> Result<Vec<Message>, DbErr> {
    let mut query = Messages::find()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::RemoteJid.eq(remote_jid))
        .filter(Column::FromMe.eq(false))
        .filter(Column::Status.eq(MessageStatus::Received))
        .filter(Column::MessageId.is_not_null());
    if let Some(ids) = message_ids {
        query = query.filter(Column::MessageId.is_in(ids.iter().cloned()));
    }
    query.all(db).await
}

/// Received messages the instance marked read.
pub async fn set_read(db: &impl ConnectionTrait, row_ids: &[String]) -> Result<(), DbErr> {
    Messages::update_many()
        .col_expr(Column::Status, Expr::value(MessageStatus::Read.as_str()))
        .filter(Column::Id.is_in(row_ids.iter().cloned()))
        .filter(Column::Status.eq(MessageStatus::Received))
        .exec(db)
        .await
        .map(|_| ())
}

/// Inserts the message; one that is already stored (same WhatsApp id) is left alone.
pub async fn insert(db: &impl ConnectionTrait, message: &NewMessage) -> Result<(), DbErr> {
    Messages::insert(active_model(message))
        .on_conflict_do_nothing_on([Column::InstanceId, Column::MessageId])
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn mark_failed(db: &impl ConnectionTrait, row_id: &str) -> Result<(), DbErr> {
    Messages::update_many()
        .col_expr(Column::Status, Expr::value(MessageStatus::Failed.as_str()))
        .filter(Column::Id.eq(row_id))
        .filter(Column::Status.eq(MessageStatus::Pending))
        .exec(db)
        .await
        .map(|_| ())
}

/// WhatsApp refused the instance's sent message: it turns `failed` with the
/// code and reason, unless a receipt already showed it delivered.
pub async fn refuse(
    db: &impl ConnectionTrait,
    instance_id: &str,
    message_id: &str,
    code: u16,
    reason: &str,
) -> Result<(), DbErr> {
    Messages::update_many()
        .col_expr(Column::Status, Expr::value(MessageStatus::Failed.as_str()))
        .col_expr(Column::ErrorCode, Expr::value(i32::from(code)))
        .col_expr(Column::ErrorReason, Expr::value(reason))
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::MessageId.eq(message_id))
        .filter(Column::FromMe.eq(true))
        .filter(Column::Status.is_in([MessageStatus::Pending, MessageStatus::Sent]))
        .exec(db)
        .await
        .map(|_| ())
}

/// Moves the instance's sent messages with these ids forward to `status`.
pub async fn apply_receipt(
    db: &impl ConnectionTrait,
    instance_id: &str,
    message_ids: &[String],
    status: MessageStatus,
) -> Result<(), DbErr> {
    Messages::update_many()
        .col_expr(Column::Status, Expr::value(status.as_str()))
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::MessageId.is_in(message_ids.iter().cloned()))
        .filter(Column::FromMe.eq(true))
        .filter(Column::Status.is_in(predecessors(status).iter().copied()))
        .exec(db)
        .await
        .map(|_| ())
}

#[derive(Debug, Default)]
pub struct ChatFilter {
    pub start: Option<i64>,
    pub end: Option<i64>,
}

fn chat(instance_id: &str, remote_jid: &str, filter: &ChatFilter) -> Select<Messages> {
    let mut query = Messages::find()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::RemoteJid.eq(remote_jid));
    if let Some(start) = filter.start {
        query = query.filter(Column::CreatedAt.gte(start));
    }
    if let Some(end) = filter.end {
        query = query.filter(Column::CreatedAt.lte(end));
    }
    query
}

/// One chat's messages, newest first, and how many match.
pub async fn history(
    db: &impl ConnectionTrait,
    instance_id: &str,
    remote_jid: &str,
    filter: &ChatFilter,
    limit: u64,
    skip: u64,
) -> Result<(Vec<Message>, u64), DbErr> {
    let total = chat(instance_id, remote_jid, filter).count(db).await?;
    let messages = chat(instance_id, remote_jid, filter)
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .offset(skip)
        .limit(limit)
        .all(db)
        .await?;
    Ok((messages, total))
}

/// A stored message by our id or by its WhatsApp id.
pub async fn find(
    db: &impl ConnectionTrait,
    instance_id: &str,
    id: &str,
) -> Result<Option<Message>, DbErr> {
    Messages::find()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::Id.eq(id).or(Column::MessageId.eq(id)))
        .one(db)
        .await
}

/// Which of the WhatsApp ids `message_ids` the instance has stored.
pub async fn stored_ids(
    db: &impl ConnectionTrait,
    instance_id: &str,
    message_ids: &[String],
) -> Result<std::collections::HashSet<String>, DbErr> {
    if message_ids.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    let stored: Vec<String> = Messages::find()
        .select_only()
        .column(Column::MessageId)
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::MessageId.is_in(message_ids.iter().cloned()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(stored.into_iter().collect())
}

/// What the instance's history tells of a person's LID and phone: a received
/// message that named both. `lid` and `phone` are JIDs; one of them is asked.
pub async fn lid_pair(
    db: &impl ConnectionTrait,
    instance_id: &str,
    lid: Option<&str>,
    phone: Option<&str>,
) -> Result<Option<(String, Option<String>)>, DbErr> {
    let mut query = Messages::find()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::FromMe.eq(false))
        .filter(Column::SenderLid.is_not_null());
    if let Some(lid) = lid {
        query = query.filter(Column::SenderLid.eq(lid));
    }
    if let Some(phone) = phone {
        query = query.filter(Column::Author.eq(phone).or(Column::RemoteJid.eq(phone)));
    }
    let Some(row) = query.order_by_desc(Column::CreatedAt).one(db).await? else {
        return Ok(None);
    };
    // In a group the author is the person; in a chat of two, the chat.
    let person = row
        .author
        .clone()
        .filter(|author| author.ends_with("@s.whatsapp.net"))
        .or_else(|| Some(row.remote_jid.clone()).filter(|jid| jid.ends_with("@s.whatsapp.net")));
    Ok(row.sender_lid.map(|lid| (lid, person)))
}

/// Points a received message at its media file, fetched after the message.
pub async fn set_media_path(
    db: &impl ConnectionTrait,
    row_id: &str,
    path: &str,
) -> Result<(), DbErr> {
    set_text(db, row_id, Column::MediaPath, path).await
}

/// Where WhatsApp keeps a received message's media now (a phone uploaded it again).
pub async fn set_media_source(
    db: &impl ConnectionTrait,
    row_id: &str,
    source: &str,
) -> Result<(), DbErr> {
    set_text(db, row_id, Column::MediaSource, source).await
}

async fn set_text(
    db: &impl ConnectionTrait,
    row_id: &str,
    column: Column,
    value: &str,
) -> Result<(), DbErr> {
    Messages::update_many()
        .col_expr(column, Expr::value(value))
        .filter(Column::Id.eq(row_id))
        .exec(db)
        .await
        .map(|_| ())
}
