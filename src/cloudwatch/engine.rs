//! The tokio runtime behind [`CloudWatch`](super::CloudWatch): current-thread, driven by a thread of its own.
//!
//! One thread drives everything (lookups, the guard poll, hyper's connection tasks), so pooled
//! connections are never left on a runtime nobody drives, and the caller's thread only waits on
//! a channel. Dropping the engine sets a stop flag the driver checks every 100 ms, then joins it.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::runtime::{Builder, Handle, Runtime};

/// How often the driver (and the guard loop) look at the stop flag.
pub(crate) const STOP_CHECK: Duration = Duration::from_millis(100);

/// Why the engine could not start.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot start the cloudwatch runtime: {0}")]
pub(crate) struct EngineError(String);

/// A runtime driven by its own thread until dropped.
pub(crate) struct Engine {
    handle: Handle,
    stop: Arc<AtomicBool>,
    driver: Option<JoinHandle<()>>,
}

/// A current-thread runtime not yet driven, so the caller can `block_on` set-up work first.
pub(crate) fn runtime() -> Result<Runtime, EngineError> {
    Builder::new_current_thread()
        .enable_all()
        .thread_name("cloudwatch")
        .build()
        .map_err(|e| EngineError(e.to_string()))
}

impl Engine {
    /// Moves `runtime` to a driver thread.
    pub(crate) fn start(runtime: Runtime) -> Result<Engine, EngineError> {
        let handle = runtime.handle().clone();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let driver = std::thread::Builder::new()
            .name("cloudwatch".into())
            .spawn(move || {
                runtime.block_on(async {
                    while !flag.load(Ordering::Relaxed) {
                        tokio::time::sleep(STOP_CHECK).await;
                    }
                });
                runtime.shutdown_timeout(STOP_CHECK);
            })
            .map_err(|e| EngineError(e.to_string()))?;
        Ok(Engine {
            handle,
            stop,
            driver: Some(driver),
        })
    }

    /// Runs `task` on the driver thread.
    pub(crate) fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        drop(self.handle.spawn(task));
    }

    /// The flag set when the engine stops, for long-running tasks.
    pub(crate) fn stop_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(driver) = self.driver.take() {
            let _ = driver.join();
        }
    }
}
