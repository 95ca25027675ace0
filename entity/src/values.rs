//! The closed sets of values some columns hold, as Rust enums stored as their
//! snake_case names (the columns stay text).

use sea_orm::entity::prelude::*;

/// A string-valued enum: stored, serialized and documented by its wire name.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        // Not a per-variant `rename = $wire`: utoipa does not see attributes built
        // from macro arguments, and documented the Rust names. The tests below
        // hold every wire name to its variant's snake_case.
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( #[sea_orm(string_value = $wire)] $variant ),+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $wire),+ }
            }

            pub fn parse(raw: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.as_str() == raw)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// An instance's connection, in the order of its state machine.
    InstanceStatus {
        Connecting = "connecting",
        Qr = "qr",
        Connected = "connected",
        Disconnected = "disconnected",
        LoggedOut = "logged_out",
        Failed = "failed",
    }
}

string_enum! {
    /// What a message carries (`voice`: a voice note; `contact`: one or more contact cards).
    MessageType {
        Text = "text",
        Image = "image",
        Video = "video",
        Audio = "audio",
        Voice = "voice",
        Document = "document",
        Sticker = "sticker",
        Location = "location",
        Contact = "contact",
        Poll = "poll",
    }
}

string_enum! {
    /// Where a message stands: sent ones move pending -> sent -> delivered -> read
    /// (or failed); received ones are received.
    MessageStatus {
        Pending = "pending",
        Sent = "sent",
        Delivered = "delivered",
        Read = "read",
        Failed = "failed",
        Received = "received",
    }
}

string_enum! {
    /// Where a webhook delivery stands.
    DeliveryState {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
}

string_enum! {
    /// What an instance's activity log records.
    ActivityAction {
        InstanceCreated = "instance_created",
        InstanceUpdated = "instance_updated",
        InstanceDeleted = "instance_deleted",
        Connecting = "connecting",
        QrReceived = "qr_received",
        QrExpired = "qr_expired",
        QrTimeout = "qr_timeout",
        PairingCode = "pairing_code",
        Paired = "paired",
        ConnectionOpened = "connection_opened",
        ConnectionClosed = "connection_closed",
        SessionRestarted = "session_restarted",
        SupervisorGaveUp = "supervisor_gave_up",
        SessionReplaced = "session_replaced",
        TemporarilyBanned = "temporarily_banned",
        ClientOutdated = "client_outdated",
        MediaDownloadFailed = "media_download_failed",
        HistoryImported = "history_imported",
        SessionImported = "session_imported",
        SessionFileKept = "session_file_kept",
        LoggedOut = "logged_out",
        ReconnectRequested = "reconnect_requested",
        WebhookFailed = "webhook_failed",
        AccountRestricted = "account_restricted",
        ConnectRefused = "connect_refused",
        PairingFailed = "pairing_failed",
        SessionStalled = "session_stalled",
    }
}

string_enum! {
    /// What a user may do.
    Role {
        User = "user",
        Admin = "admin",
    }
}
