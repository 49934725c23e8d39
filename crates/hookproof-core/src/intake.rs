//! [`Intake`]: what an adapter does with a verified delivery before its
//! handler runs, the same in every framework.
//!
//! | intake | before the handler | handler's outcome |
//! |---|---|---|
//! | [`Intake::Direct`] | nothing | answered as is |
//! | [`Intake::Replay`] | claim the event: a processed one is a duplicate (200), one in flight 409, an unreachable store 503 | 2xx commits the claim, anything else releases it |
//! | [`Intake::Inbox`] | store the delivery: one already stored is a duplicate (200), an unreachable inbox 503 | answered as is (202 from the acknowledging handler) |

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;

use crate::{
    Acceptance, Admission, Claim, Delivery, DeliverySink, HeaderLookup, ReplayProtection, Verified, VerifyError,
};

/// How an adapter admits verified deliveries: straight to the handler, once
/// per event ([replay protection](crate::replay)), or into an inbox
/// ([inbox mode](crate::sink)). The last of an adapter's `replay` and
/// `inbox` calls chooses it.
#[derive(Clone, Default)]
pub enum Intake {
    /// Every verified delivery goes to the handler.
    #[default]
    Direct,
    /// Claim each event first; see [`ReplayProtection`].
    Replay(ReplayProtection),
    /// Store each delivery first; the handler only acknowledges.
    Inbox(Arc<dyn DeliverySink>),
}

/// What [`Intake::admit`] decided.
#[derive(Debug)]
#[must_use = "a claim must be settled (dropping it releases the event)"]
pub enum Pass {
    /// Call the handler; with a claim, under [`Claim::run`].
    Handle(Option<Claim>),
    /// Already processed or stored: answer 200
    /// [`DUPLICATE_BODY`](crate::DUPLICATE_BODY) without calling the handler.
    Duplicate,
}

impl Intake {
    /// The replay protection in use, if this is [`Intake::Replay`].
    pub fn replay_protection(&self) -> Option<&ReplayProtection> {
        match self {
            Self::Replay(protection) => Some(protection),
            _ => None,
        }
    }

    /// Claims or stores the verified delivery, as this intake says. The
    /// future owns what it needs (`Send + 'static`), so an adapter can box
    /// it into its own response future; headers are read now.
    ///
    /// Errors are the contract's: 409 `in_flight` and 503
    /// `replay_store_unavailable` (replay), 503 `inbox_unavailable` (inbox).
    pub fn admit<H: HeaderLookup + ?Sized>(
        &self,
        verified: &Verified,
        headers: &H,
        body: &Bytes,
    ) -> impl Future<Output = Result<Pass, VerifyError>> + Send + 'static {
        let step = match self {
            Self::Direct => Step::Direct,
            Self::Replay(replay) => Step::Claim(replay.clone(), verified.clone(), body.clone()),
            Self::Inbox(inbox) => {
                Step::Store(Arc::clone(inbox), Delivery::from_verified(verified, headers, body.clone()))
            }
        };
        async move {
            Ok(match step {
                Step::Direct => Pass::Handle(None),
                Step::Claim(replay, verified, body) => match replay.claim(&verified, &body).await? {
                    Admission::Process(claim) => Pass::Handle(Some(claim)),
                    Admission::Unprotected => Pass::Handle(None),
                    Admission::Duplicate => Pass::Duplicate,
                },
                Step::Store(inbox, delivery) => match inbox.accept(delivery).await? {
                    Acceptance::Stored => Pass::Handle(None),
                    Acceptance::Duplicate => Pass::Duplicate,
                },
            })
        }
    }
}

/// What [`Intake::admit`]'s future carries.
enum Step {
    Direct,
    Claim(ReplayProtection, Verified, Bytes),
    Store(Arc<dyn DeliverySink>, Delivery),
}

impl fmt::Debug for Intake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Direct => f.write_str("Direct"),
            Self::Replay(protection) => f.debug_tuple("Replay").field(protection).finish(),
            Self::Inbox(inbox) => f.debug_tuple("Inbox").field(inbox).finish(),
        }
    }
}
