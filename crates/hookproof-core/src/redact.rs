//! Connection URLs (databases, Redis, receivers) without their passwords,
//! for Debug output, logs and errors.

/// Replaces the password of `scheme://user:password@host/...` and any
/// `password=` query parameter by `***`.
///
/// Errs on the side of hiding: the userinfo ends at the *last* `@`, so a
/// password holding `/`, `?` or `@` (unencoded) is hidden whole.
///
/// ```
/// assert_eq!(hookproof_core::redact_url("redis://app:s3cret@cache:6379/0"), "redis://app:***@cache:6379/0");
/// ```
pub fn redact_url(url: &str) -> String {
    let (mut redacted, tail) = match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((userinfo, tail)) => {
                let masked = match userinfo.split_once(':') {
                    Some((user, _password)) => format!("{user}:***"),
                    None => userinfo.to_owned(),
                };
                (format!("{scheme}://{masked}@"), tail)
            }
            None => (format!("{scheme}://"), rest),
        },
        None => (String::new(), url),
    };
    match tail.split_once('?') {
        Some((path, query)) => {
            let parameters: Vec<String> = query
                .split('&')
                .map(|parameter| match parameter.split_once('=') {
                    Some((name, _value)) if name.to_ascii_lowercase().contains("password") => format!("{name}=***"),
                    _ => parameter.to_owned(),
                })
                .collect();
            redacted.push_str(path);
            redacted.push('?');
            redacted.push_str(&parameters.join("&"));
        }
        None => redacted.push_str(tail),
    }
    redacted
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn hides_passwords_and_keeps_the_rest() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/hooks"), "postgres://app:***@db:5432/hooks");
        assert_eq!(redact_url("postgres://app@db/hooks"), "postgres://app@db/hooks");
        assert_eq!(redact_url("postgresql://a:b:c@h/d?x=1"), "postgresql://a:***@h/d?x=1");
        assert_eq!(
            redact_url("postgres://db/hooks?user=app&password=s3cret&sslpassword=k"),
            "postgres://db/hooks?user=app&password=***&sslpassword=***"
        );
        assert_eq!(redact_url("sqlite:/var/lib/inbox.db"), "sqlite:/var/lib/inbox.db");
        // Redis URLs, as `listen --replay` names them.
        assert_eq!(redact_url("redis://alice:hunter2@127.0.0.1:6379/0"), "redis://alice:***@127.0.0.1:6379/0");
        assert_eq!(redact_url("redis://:hunter2@h"), "redis://:***@h");
        assert_eq!(redact_url("redis://h:1/0"), "redis://h:1/0");
        assert_eq!(redact_url("garbage"), "garbage");
        // A password containing '@' or '/' must not leak its tail either.
        assert_eq!(redact_url("postgres://app:p@ss@db/hooks"), "postgres://app:***@db/hooks");
        assert_eq!(redact_url("postgres://app:pa/s?s@db/hooks"), "postgres://app:***@db/hooks");
    }
}
