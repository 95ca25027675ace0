//! The real whatsapp-rust engine against the WhatsApp test server (`wa-mock`):
//! connected idle instances, restoring them after a restart, and messaging
//! beside the simulated network's. Needs a build with `mock-whatsapp`.

mod idle;
mod messaging;
mod mock;

pub use idle::{Idle, Restore};
pub use messaging::Messaging;

use crate::plan::Plan;

#[derive(Default)]
pub struct EngineFigures {
    pub idle: Vec<Idle>,
    pub restore: Option<Restore>,
    pub messaging: Option<Messaging>,
}

/// Both parts, or the one `--only` names (`engine-idle`, `engine-messaging`).
pub async fn engine(plan: &Plan) -> anyhow::Result<EngineFigures> {
    let mut figures = EngineFigures::default();
    let largest = plan.engine_idle.iter().copied().max().unwrap_or(0);
    let all = plan.wants("engine");
    let idle_counts = if all || plan.wants("engine-idle") {
        plan.engine_idle.as_slice()
    } else {
        &[]
    };
    for &count in idle_counts {
        eprintln!("{count} connected idle engine instances through the test server ...");
        let (idle, restore) = idle::idle(count, plan.engine_idle_for, count == largest).await?;
        figures.idle.push(idle);
        if restore.is_some() {
            figures.restore = restore;
        }
    }
    if all || plan.wants("engine-messaging") {
        eprintln!(
            "engine messaging between {} pairs, beside the sim ...",
            plan.engine_pairs
        );
        figures.messaging = Some(messaging::messaging(plan, plan.engine_pairs).await?);
    }
    Ok(figures)
}
