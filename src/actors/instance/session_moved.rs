//! The activity-log lines for a session file from before the database store.

use serde_json::json;

use super::InstanceActor;
use crate::db::activity::ActivityAction;
use crate::whatsapp::SessionMove;

impl InstanceActor {
    /// A session file from before the database store was imported (or could not be).
    pub(super) fn on_session_moved(&mut self, moved: SessionMove) {
        match moved {
            SessionMove::Imported { rows } => {
                self.activity(ActivityAction::SessionImported, json!({"rows": rows}));
            }
            SessionMove::FileKept { reason } => {
                self.activity(ActivityAction::SessionFileKept, json!({"reason": reason}));
            }
        }
    }
}
