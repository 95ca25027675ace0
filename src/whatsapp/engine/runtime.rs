//! The engine's own multi-thread tokio runtime, and the `Runtime` the engine uses
//! to spawn onto it (its built-in one follows whatever runtime is current).

use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;

use whatsapp_rust::Runtime;
use whatsapp_rust::wacore::runtime::AbortHandle;

use super::forwarder::Tracker;
use crate::whatsapp::panic_message;

pub struct EngineRuntime {
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
}

impl EngineRuntime {
    pub fn new(threads: usize) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("wa-engine")
            .enable_all()
            .build()?;
        Ok(Self {
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
        })
    }

    pub fn handle(&self) -> tokio::runtime::Handle {
        self.handle.clone()
    }
}

impl Drop for EngineRuntime {
    fn drop(&mut self) {
        // Dropping a runtime inside another one panics; let it wind down in the background.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The `Runtime` one attempt's client spawns its tasks with: on the engine's
/// runtime, each task watched, so that a panic in any of them (the run loop, the
/// event dispatch and with it the forwarder, a background job) ends the attempt
/// as a crash instead of passing for a lost connection.
pub struct HandleRuntime {
    pub handle: tokio::runtime::Handle,
    pub tracker: Arc<Tracker>,
}

impl HandleRuntime {
    fn watched(
        &self,
        future: Pin<Box<dyn Future<Output = ()> + Send + 'static>>,
    ) -> impl Future<Output = ()> + Send + 'static {
        let tracker = self.tracker.clone();
        async move {
            let outcome = AssertUnwindSafe(future).catch_unwind().await;
            if let Err(panic) = outcome {
                tracker.crashed(panic_message(panic.as_ref()));
            }
        }
    }
}

#[whatsapp_rust::async_trait]
impl Runtime for HandleRuntime {
    fn spawn(&self, future: Pin<Box<dyn Future<Output = ()> + Send + 'static>>) -> AbortHandle {
        let join = self.handle.spawn(self.watched(future));
        AbortHandle::new(move || join.abort())
    }

    fn spawn_detached(&self, future: Pin<Box<dyn Future<Output = ()> + Send + 'static>>) {
        self.handle.spawn(self.watched(future));
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        // A tokio sleep binds to the timer of the runtime current at its creation.
        let _entered = self.handle.enter();
        Box::pin(tokio::time::sleep(duration))
    }

    fn spawn_blocking(
        &self,
        work: Box<dyn FnOnce() + Send + 'static>,
    ) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let tracker = self.tracker.clone();
        let join = self.handle.spawn_blocking(move || {
            if let Err(panic) = std::panic::catch_unwind(AssertUnwindSafe(work)) {
                tracker.crashed(panic_message(panic.as_ref()));
            }
        });
        Box::pin(async move {
            let _ = join.await;
        })
    }

    fn yield_now(&self) -> Option<Pin<Box<dyn Future<Output = ()> + Send>>> {
        None
    }
}
