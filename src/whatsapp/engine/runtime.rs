//! The engine's own multi-thread tokio runtime, and the `Runtime` the engine uses
//! to spawn onto it (its built-in one follows whatever runtime is current).

use std::pin::Pin;
use std::time::Duration;

use whatsapp_rust::Runtime;
use whatsapp_rust::wacore::runtime::AbortHandle;

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

pub struct HandleRuntime(pub tokio::runtime::Handle);

#[whatsapp_rust::async_trait]
impl Runtime for HandleRuntime {
    fn spawn(&self, future: Pin<Box<dyn Future<Output = ()> + Send + 'static>>) -> AbortHandle {
        let join = self.0.spawn(future);
        AbortHandle::new(move || join.abort())
    }

    fn spawn_detached(&self, future: Pin<Box<dyn Future<Output = ()> + Send + 'static>>) {
        self.0.spawn(future);
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        // A tokio sleep binds to the timer of the runtime current at its creation.
        let _entered = self.0.enter();
        Box::pin(tokio::time::sleep(duration))
    }

    fn spawn_blocking(
        &self,
        work: Box<dyn FnOnce() + Send + 'static>,
    ) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let join = self.0.spawn_blocking(work);
        Box::pin(async move {
            let _ = join.await;
        })
    }

    fn yield_now(&self) -> Option<Pin<Box<dyn Future<Output = ()> + Send>>> {
        None
    }
}
