//! Ready envelope types for the providers' payloads. Decode a verified body
//! into one with [`Verified::decode`](crate::Verified::decode).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Smile's webhook body: `{"account_id": 0, "topic": "ping", "data": {}}`.
///
/// `data` is generic: keep it as [`serde_json::Value`] (the default) or name
/// your own type for the topics you handle.
///
/// ```
/// use hookproof_core::events::{SmileEnvelope, SmileTopic};
///
/// let event: SmileEnvelope = serde_json::from_str(
///     r#"{"account_id": 7, "topic": "customer/updated", "data": {"customer": {"id": 1}}}"#,
/// )?;
/// assert_eq!(event.topic, SmileTopic::event("customer", "updated"));
/// assert_eq!(event.topic.to_string(), "customer/updated");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct SmileEnvelope<T = serde_json::Value> {
    /// The id of the account on which the event occurred.
    pub account_id: u64,
    /// What happened.
    pub topic: SmileTopic,
    /// The topic's data; an empty object for `ping`.
    pub data: T,
}

/// A Smile topic: the `ping` smoke test, or `subject/verb`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SmileTopic {
    /// The pseudo topic Smile sends when a webhook is created.
    Ping,
    /// `subject/verb`, e.g. `customer/updated`.
    Event {
        /// The subject, e.g. `customer`.
        subject: String,
        /// The verb, e.g. `updated`.
        verb: String,
    },
}

impl SmileTopic {
    /// A `subject/verb` topic.
    pub fn event(subject: impl Into<String>, verb: impl Into<String>) -> Self {
        Self::Event { subject: subject.into(), verb: verb.into() }
    }

    /// Whether this is the `ping` smoke test.
    pub fn is_ping(&self) -> bool {
        matches!(self, Self::Ping)
    }

    /// Parses `ping` or `subject/verb`; anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        if text == "ping" {
            return Some(Self::Ping);
        }
        let (subject, verb) = text.split_once('/')?;
        let valid = |part: &str| !part.is_empty() && !part.contains('/');
        (valid(subject) && valid(verb)).then(|| Self::event(subject, verb))
    }
}

impl fmt::Display for SmileTopic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ping => f.write_str("ping"),
            Self::Event { subject, verb } => write!(f, "{subject}/{verb}"),
        }
    }
}

impl Serialize for SmileTopic {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SmileTopic {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&text), &"`ping` or `subject/verb`")
        })
    }
}

/// The Standard Webhooks payload: `{"type": "...", "timestamp": "...", "data": {...}}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct StandardWebhooksEvent<T = serde_json::Value> {
    /// Dotted event type, e.g. `user.created`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event happened (RFC 3339), as sent.
    pub timestamp: String,
    /// The event's data.
    pub data: T,
}

/// A Smake event. Smake documents that each body carries "the type and the
/// data associated with that", without naming the fields: `type` (or
/// `event`) and `data` are read, anything else is kept in `extra`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct SmakeEvent<T = serde_json::Value> {
    /// The event type.
    #[serde(rename = "type", alias = "event")]
    pub event_type: String,
    /// The event's data.
    pub data: T,
    /// Every other top-level field, untouched.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A Smarter Launch automation payload: the provider documents no fixed
/// shape (it is whatever the automation sends), so it is a JSON object.
pub type SmarterLaunchEvent = serde_json::Map<String, serde_json::Value>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smile_topics_parse_strictly() {
        assert_eq!(SmileTopic::parse("ping"), Some(SmileTopic::Ping));
        assert_eq!(SmileTopic::parse("customer/updated"), Some(SmileTopic::event("customer", "updated")));
        for bad in ["", "pong", "customer", "/updated", "customer/", "a/b/c"] {
            assert_eq!(SmileTopic::parse(bad), None, "{bad}");
        }
        let not_envelope = serde_json::from_str::<SmileEnvelope>(r#"{"account_id":1,"topic":"nope","data":{}}"#);
        assert!(not_envelope.is_err());
        let ping: SmileEnvelope = serde_json::from_str(r#"{"account_id":0,"data":{},"topic":"ping"}"#).unwrap();
        assert!(ping.topic.is_ping());
        assert_eq!(serde_json::to_value(&ping).unwrap()["topic"], "ping");
    }
}
