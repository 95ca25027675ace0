//! WhatsApp's faults, on demand (the admin `fault` and `unlink` routes): what
//! a linked device can meet in the field, for every linked device of an account.

use serde::Deserialize;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;

use crate::devices;
use crate::wire::now_secs;
use crate::world::{Ban, State, stream_error_code, stream_error_conflict, stream_restart};

/// WhatsApp's code for a temporary ban ("sending too many messages").
const BAN_CODE: u16 = 101;
/// The refusal that comes with the reach-out timelock.
const REACHOUT_TIMELOCK: u16 = 463;

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Fault {
    /// The next message a linked device sends is refused with this code; a
    /// 463 also locks the account's reach-out for `lockSecs` (default an hour).
    Nack {
        code: u16,
        #[serde(rename = "lockSecs")]
        lock_secs: Option<u64>,
    },
    /// Another session took over: each linked device's stream is replaced.
    Replaced,
    /// A temporary ban: linked devices are cut off and refused until it ends.
    Ban {
        #[serde(rename = "expiresInSecs")]
        expires_in_secs: u64,
    },
    /// The connections drop, as on a network failure (the devices reconnect).
    Drop,
    /// A stream restart (515): the devices reconnect at once.
    Restart,
    /// WhatsApp rate-limits the connections (`<stream:error code="429">`): the
    /// devices must wait longer than after a drop before they come back.
    Ratelimit,
    /// The mock's own: the connections stay open but carry nothing more either
    /// way, as a stalled connection (the devices must notice by themselves).
    Stall,
    /// The mock's own: the connections end with `<failure reason=code>`, as
    /// WhatsApp refuses a connection (409: bad user agent, 503: unavailable).
    Refuse { code: u16 },
}

pub fn apply(state: &mut State, phone: &str, fault: &Fault) -> Result<(), String> {
    let companions = |device: u16| device != 0;
    match fault {
        Fault::Nack { code, lock_secs } => {
            if *code < 400 {
                return Err("a refusal's code is 400 or more (463: reach-out timelock)".into());
            }
            if let Some(account) = state.accounts.get_mut(phone) {
                account.nack_next = Some(*code);
                if *code == REACHOUT_TIMELOCK {
                    account.reachout_lock_until = Some(now_secs() + lock_secs.unwrap_or(3600));
                }
            }
        }
        Fault::Replaced => {
            state.close_devices(phone, companions, || {
                Some(stream_error_conflict("replaced"))
            });
        }
        Fault::Ban { expires_in_secs } => {
            if *expires_in_secs == 0 {
                return Err("expiresInSecs must be greater than 0".into());
            }
            if let Some(account) = state.accounts.get_mut(phone) {
                account.ban = Some(Ban {
                    until: now_secs() + expires_in_secs,
                    code: BAN_CODE,
                });
            }
            let failure = || {
                Some(
                    NodeBuilder::new("failure")
                        .attr("reason", "402")
                        .attr("code", BAN_CODE.to_string())
                        .attr("expire", expires_in_secs.to_string())
                        .build(),
                )
            };
            state.close_devices(phone, companions, failure);
        }
        Fault::Drop => {
            state.close_devices(phone, companions, || None);
        }
        Fault::Restart => {
            state.close_devices(phone, companions, || Some(stream_restart()));
        }
        Fault::Ratelimit => {
            state.close_devices(phone, companions, || Some(stream_error_code("429")));
        }
        Fault::Stall => state.mute_devices(phone, companions),
        Fault::Refuse { code } => {
            if *code < 400 {
                return Err("a refusal's code is 400 or more (409: bad user agent)".into());
            }
            let failure = || {
                Some(
                    NodeBuilder::new("failure")
                        .attr("reason", code.to_string())
                        .build(),
                )
            };
            state.close_devices(phone, companions, failure);
        }
    }
    Ok(())
}

/// The phone removes all its linked devices; how many there were.
pub fn unlink_all(state: &mut State, phone: &str) -> usize {
    let companions: Vec<u16> = state
        .accounts
        .get(phone)
        .map(|account| account.companions().map(|device| device.id).collect())
        .unwrap_or_default();
    companions
        .into_iter()
        .filter(|device| devices::unlink(state, phone, *device, true))
        .count()
}
