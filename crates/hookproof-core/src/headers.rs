//! [`HeaderLookup`]: how the core reads request headers without knowing the
//! framework's header map.

/// Read access to a request's headers.
///
/// Implemented for [`http::HeaderMap`] (http 1.x: axum, tower, hyper). The
/// actix-web adapter implements it for actix's own map, so no adapter copies
/// headers into another map per request.
pub trait HeaderLookup {
    /// Every value of the header `name` (lowercase ASCII), in the order
    /// received, as raw bytes.
    fn values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a [u8]>;
}

impl HeaderLookup for http::HeaderMap {
    fn values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a [u8]> {
        self.get_all(name).into_iter().map(|value| value.as_bytes())
    }
}

impl<H: HeaderLookup + ?Sized> HeaderLookup for &H {
    fn values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a [u8]> {
        (**self).values(name)
    }
}
