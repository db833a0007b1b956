//! A hook a transport can put into a subscription's request: called once the subscription is
//! registered with the live hub, so that every later change reaches it. The transport uses it to
//! let identical subscriptions ride on this one (see `http::multiplex`): a rider counts as a live
//! subscriber only from that moment, as a subscription of its own would.

use std::sync::Mutex;

type Hook = Box<dyn FnOnce() + Send>;

pub struct SubscribedHook(Mutex<Option<Hook>>);

impl SubscribedHook {
    pub fn new(hook: impl FnOnce() + Send + 'static) -> Self {
        Self(Mutex::new(Some(Box::new(hook))))
    }

    /// Calls the hook, the first time only.
    pub(crate) fn fire(&self) {
        let hook = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(hook) = hook {
            hook();
        }
    }
}
