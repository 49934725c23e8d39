//! The accessors every adapter's `Webhook<T>` and `RawWebhook` extractors
//! share, written once so the adapters cannot drift apart.

/// Implements the accessors of an adapter's extractor pair: `$webhook<T>`
/// (fields `event: T`, `verified: Verified`) and `$raw` (fields `body`,
/// derefs to bytes, and `verified`), with `$rejection: From<VerifyError>`.
///
/// Used by hookproof's adapters (as axum-core's rejection macros are by
/// axum); not a stable API.
#[doc(hidden)]
#[macro_export]
macro_rules! __webhook_extractor_accessors {
    ($webhook:ident, $raw:ident, $rejection:ty) => {
        $crate::__webhook_extractor_accessors!(@verified [T] $webhook<T>);
        $crate::__webhook_extractor_accessors!(@verified [] $raw);

        impl<T> $webhook<T> {
            /// The decoded event, dropping the verification details.
            pub fn into_event(self) -> T {
                self.event
            }

            /// The decoded event: [`into_event`](Self::into_event) under the
            /// frameworks' usual name.
            pub fn into_inner(self) -> T {
                self.event
            }

            /// The decoded event and the verification details.
            pub fn into_parts(self) -> (T, $crate::Verified) {
                (self.event, self.verified)
            }
        }

        /// The decoded event's fields and methods, directly on the webhook.
        impl<T> ::std::ops::Deref for $webhook<T> {
            type Target = T;

            fn deref(&self) -> &T {
                &self.event
            }
        }

        impl<T> ::std::ops::DerefMut for $webhook<T> {
            fn deref_mut(&mut self) -> &mut T {
                &mut self.event
            }
        }

        impl $raw {
            /// Decodes the verified body as JSON; failure is 422 `invalid_payload`.
            pub fn decode<T: ::serde::de::DeserializeOwned>(&self) -> Result<T, $rejection> {
                Ok(self.verified.decode(&self.body)?)
            }
        }
    };
    // What both extractors read from their `verified` field.
    (@verified [$($generic:ident)?] $ty:ty) => {
        impl$(<$generic>)? $ty {
            /// The id header's value, when the scheme has one (see
            /// [`Verified::id`](hookproof_core::Verified::id) for which
            /// providers sign it).
            pub fn id(&self) -> Option<&str> {
                self.verified.id()
            }

            /// The delivery's timestamp in unix seconds, when the scheme carries one.
            pub fn timestamp(&self) -> Option<i64> {
                self.verified.timestamp()
            }

            /// What verification established: scheme, id, timestamp, event key.
            pub fn verified(&self) -> &$crate::Verified {
                &self.verified
            }
        }
    };
}

/// Implements the builder of an adapter's layer, middleware or service `$ty`
/// (fields `verifier: Arc<Verifier>` and `intake: Intake`): `new` (not for
/// a generic service), `replay`, `inbox` and the getters, the same in every
/// framework.
///
/// Used by hookproof's adapters; not a stable API.
#[doc(hidden)]
#[macro_export]
macro_rules! __webhook_builder_methods {
    // A layer or middleware: also `new`.
    ($ty:ident) => {
        impl $ty {
            /// Verifies with `verifier` (a [`Verifier`](hookproof_core::Verifier),
            /// or an `Arc<Verifier>` shared with other routes), with no replay
            /// protection and no inbox.
            pub fn new(verifier: impl Into<::std::sync::Arc<$crate::Verifier>>) -> Self {
                Self { verifier: verifier.into(), intake: $crate::Intake::Direct }
            }
        }

        $crate::__webhook_builder_methods!(@methods $ty);
    };
    // A service around an inner one: its `new` takes the inner service too.
    ($ty:ident<$generic:ident>) => {
        $crate::__webhook_builder_methods!(@methods $ty<$generic>);
    };
    (@methods $ty:ident $(<$generic:ident>)?) => {
        impl $(<$generic>)? $ty $(<$generic>)? {
            /// Opt-in replay protection: the handler runs once per event. A
            /// duplicate of a processed event is answered 200
            /// `{"status":"duplicate"}`, one being processed 409 `in_flight`,
            /// an unreachable store 503 `replay_store_unavailable` (unless
            /// [fail-open](hookproof_core::ReplayProtection::fail_open)),
            /// without calling the handler. A 2xx answer marks the event
            /// processed; anything else (an error, a panic, a timeout)
            /// releases it so the sender's retry is processed.
            ///
            /// Build the protection once and share its clones: clones share
            /// the store. Replaces an [`inbox`](Self::inbox) set before.
            pub fn replay(mut self, protection: $crate::ReplayProtection) -> Self {
                self.intake = $crate::Intake::Replay(protection);
                self
            }

            /// Inbox mode: store each verified delivery in `inbox` (the
            /// `hookproof-inbox` crate's `Inbox`, or any
            /// [`DeliverySink`](hookproof_core::DeliverySink)), then let the
            /// wrapped handler acknowledge it (202 `{"status":"accepted"}`);
            /// the work runs in the inbox's workers. A delivery already stored
            /// is answered 200 `{"status":"duplicate"}`, an inbox that cannot
            /// store 503 `inbox_unavailable`, without calling the handler. See
            /// [`hookproof_core::sink`]. Replaces [`replay`](Self::replay)
            /// protection set before: the inbox dedupes on the same
            /// [event key](hookproof_core::Verified::event_key).
            pub fn inbox(mut self, inbox: impl $crate::DeliverySink + 'static) -> Self {
                self.intake = $crate::Intake::Inbox(::std::sync::Arc::new(inbox));
                self
            }

            /// The verifier deliveries are checked with.
            pub fn verifier(&self) -> &::std::sync::Arc<$crate::Verifier> {
                &self.verifier
            }

            /// The replay protection, when [`replay`](Self::replay) turned it on.
            pub fn replay_protection(&self) -> Option<&$crate::ReplayProtection> {
                self.intake.replay_protection()
            }
        }
    };
}
