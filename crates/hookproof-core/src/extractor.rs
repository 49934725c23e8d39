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
        impl<T> $webhook<T> {
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
            /// The id header's value, when the scheme has one.
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

            /// Decodes the verified body as JSON; failure is 422 `invalid_payload`.
            pub fn decode<T: ::serde::de::DeserializeOwned>(&self) -> Result<T, $rejection> {
                Ok(self.verified.decode(&self.body)?)
            }
        }
    };
}
