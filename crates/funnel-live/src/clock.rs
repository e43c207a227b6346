//! The one way live mode learns the time. Production uses the wall clock
//! ([`SystemClock`]); tests and the crash harness use a [`SimClock`] they
//! move by hand, so timer firing is tested deterministically. Instants are
//! Unix seconds, as everywhere in the engine.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// A source of "now".
pub trait Clock: Send + Sync {
    /// Unix seconds.
    fn now(&self) -> i64;
}

/// The wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }
}

/// A clock that reads what it was set to.
#[derive(Clone, Debug, Default)]
pub struct SimClock(Arc<AtomicI64>);

impl SimClock {
    pub fn at(t: i64) -> SimClock {
        SimClock(Arc::new(AtomicI64::new(t)))
    }

    pub fn set(&self, t: i64) {
        self.0.store(t, Ordering::SeqCst);
    }

    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for SimClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}
