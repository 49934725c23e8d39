//! [`ActixHeaders`]: the core's [`HeaderLookup`] over actix-web's own header map.

use actix_web::http::header::HeaderMap;
use hookproof_core::HeaderLookup;

/// A borrowed actix-web [`HeaderMap`] that the core can read.
///
/// actix-web 4 is built on `http` 0.2 and has its own header map, while the
/// core's [`HeaderLookup`] is implemented for `http` 1.x maps. Both the trait
/// and actix's map are foreign to this crate, so this zero-cost newtype
/// (one reference, nothing copied or converted per request) bridges them.
///
/// ```
/// use actix_web::test::TestRequest;
/// use hookproof_actix::ActixHeaders;
/// use hookproof_core::HeaderLookup;
///
/// let request = TestRequest::default().insert_header(("Smile-Timestamp", "1700000000")).to_http_request();
/// let headers = ActixHeaders(request.headers());
/// assert_eq!(headers.values("smile-timestamp").collect::<Vec<_>>(), [b"1700000000".as_slice()]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ActixHeaders<'a>(pub &'a HeaderMap);

impl HeaderLookup for ActixHeaders<'_> {
    fn values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a [u8]> {
        self.0.get_all(name).map(|value| value.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    #[test]
    fn reads_every_value_in_order_case_insensitively() {
        let mut map = HeaderMap::new();
        map.append(HeaderName::from_static("webhook-signature"), HeaderValue::from_static("v1,a"));
        map.append(HeaderName::from_static("webhook-signature"), HeaderValue::from_static("v1,b"));
        let headers = ActixHeaders(&map);
        assert_eq!(headers.values("webhook-signature").collect::<Vec<_>>(), [b"v1,a".as_slice(), b"v1,b"]);
        assert_eq!(headers.values("Webhook-Signature").count(), 2);
        assert_eq!(headers.values("webhook-id").count(), 0);
    }
}
