//! Rate limiting of the GraphQL endpoint: a token bucket per client (its API key, or its
//! address when it sends none or an invalid one), answered with 429 and `Retry-After` when
//! empty.

use actix_web::http::header;
use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// Who a request is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Client {
    /// A valid API key, by its id.
    Key(i32),
    /// The address a request without a valid key came from.
    Address(IpAddr),
}

/// The per-client buckets, shared by every worker.
pub struct RateLimits {
    limiter: Option<DefaultKeyedRateLimiter<Client>>,
    trust_proxy: bool,
}

impl RateLimits {
    /// `per_second` requests per client on average, `burst` at once; 0 per second turns
    /// limiting off. With `trust_proxy` the client's address is read from `Forwarded` /
    /// `X-Forwarded-For`.
    pub fn new(per_second: u32, burst: u32, trust_proxy: bool) -> Self {
        let limiter = NonZeroU32::new(per_second).map(|rate| {
            let burst = NonZeroU32::new(burst).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        RateLimits { limiter, trust_proxy }
    }

    /// Takes one request from the bucket of the API key `key_id`, or says how long until one
    /// is available.
    pub fn check_key(&self, key_id: i32) -> Result<(), Duration> {
        self.take(Client::Key(key_id))
    }

    /// Takes one request from the bucket of the address `req` came from.
    pub fn check_address(&self, req: &HttpRequest) -> Result<(), Duration> {
        self.take(Client::Address(self.address(req)))
    }

    fn take(&self, client: Client) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else { return Ok(()) };
        limiter
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets clients whose buckets are full again, bounding memory by the clients of the
    /// last few seconds.
    pub fn forget_idle_clients(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// The address `req` is charged to: the peer's, or behind a trusted proxy the one it
    /// forwarded.
    pub fn address(&self, req: &HttpRequest) -> IpAddr {
        let address = if self.trust_proxy {
            req.connection_info().realip_remote_addr().and_then(parse_ip)
        } else {
            req.peer_addr().map(|addr| addr.ip())
        };
        address.unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }
}

/// What the `Authorization` header holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Credentials<'a> {
    /// No header.
    None,
    /// `Bearer <key>`.
    Bearer(&'a str),
    /// Anything else, which is refused rather than ignored.
    Malformed,
}

/// Reads the `Authorization` header.
pub fn credentials(req: &HttpRequest) -> Credentials<'_> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else { return Credentials::None };
    let Ok(value) = value.to_str() else { return Credentials::Malformed };
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Credentials::Bearer(token.trim())
        }
        _ => Credentials::Malformed,
    }
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `[::1]:5678` or `::1`.
fn parse_ip(raw: &str) -> Option<IpAddr> {
    raw.parse::<IpAddr>()
        .ok()
        .or_else(|| raw.parse::<std::net::SocketAddr>().ok().map(|addr| addr.ip()))
        .or_else(|| raw.trim_start_matches('[').split(']').next()?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_are_read_in_every_form() {
        assert_eq!(parse_ip("10.0.0.1"), Some(IpAddr::from([10, 0, 0, 1])));
        assert_eq!(parse_ip("10.0.0.1:443"), Some(IpAddr::from([10, 0, 0, 1])));
        assert_eq!(parse_ip("[::1]:443"), Some("::1".parse().unwrap()));
        assert_eq!(parse_ip("::1"), Some("::1".parse().unwrap()));
        assert_eq!(parse_ip("unknown"), None);
    }
}
