//! Which URL a request goes to. KMS has a shared gateway per region (public and VPC) that serves
//! every OpenAPI action, and a dedicated gateway per KMS instance that serves cryptographic
//! operations and secret retrieval over the instance's own CA. An explicit endpoint overrides
//! both (that is how tests and the emulator are reached).

use crate::error::{Error, Result};

/// Which KMS gateway a client talks to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Gateway {
    /// `kms.<region>.aliyuncs.com`.
    #[default]
    Shared,
    /// `kms-vpc.<region>.aliyuncs.com`.
    SharedVpc,
    /// `<kms-instance-id>.cryptoservice.kms.aliyuncs.com` (private network, instance CA).
    Dedicated { instance_id: String },
}

impl Gateway {
    /// From a face's option: `shared`, `vpc` (or `shared-vpc`), or `dedicated` with an instance id.
    pub fn from_name(kind: &str, instance_id: Option<&str>) -> Result<Gateway> {
        match kind.trim().to_ascii_lowercase().as_str() {
            "shared" | "" => Ok(Gateway::Shared),
            "vpc" | "shared-vpc" | "shared_vpc" => Ok(Gateway::SharedVpc),
            "dedicated" => match instance_id.map(str::trim).filter(|s| !s.is_empty()) {
                Some(id) => Ok(Gateway::Dedicated {
                    instance_id: id.to_owned(),
                }),
                None => Err(Error::configuration(
                    "the dedicated gateway needs a KMS instance id",
                )),
            },
            other => Err(Error::configuration(format!(
                "unknown gateway {other:?}: expected \"shared\", \"vpc\" or \"dedicated\""
            ))),
        }
    }

    /// From a face's two optional settings, the same rule in every face: neither set means the
    /// default gateway (`None`); an instance id alone means the dedicated gateway of that
    /// instance; otherwise as [`Gateway::from_name`].
    pub fn from_options(kind: Option<&str>, instance_id: Option<&str>) -> Result<Option<Gateway>> {
        match (kind, instance_id) {
            (None, None) => Ok(None),
            (None, Some(id)) => Gateway::from_name("dedicated", Some(id)).map(Some),
            (Some(kind), id) => Gateway::from_name(kind, id).map(Some),
        }
    }
}

/// A resolved endpoint: the scheme, and the authority exactly as it is sent (and signed) in the
/// `host` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub scheme: Scheme,
    /// `host` or `host:port`.
    pub authority: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

impl Endpoint {
    /// `scheme://authority` with no trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme.as_str(), self.authority)
    }

    /// Parses an explicit endpoint: `https://host[:port]`, `http://host[:port]` (for local
    /// servers) or a bare `host[:port]` (HTTPS, as the official SDK assumes).
    pub fn parse(s: &str) -> Result<Endpoint> {
        let s = s.trim();
        let (scheme, rest) = if let Some(r) = strip_prefix_ci(s, "https://") {
            (Scheme::Https, r)
        } else if let Some(r) = strip_prefix_ci(s, "http://") {
            (Scheme::Http, r)
        } else if s.contains("://") {
            return Err(Error::configuration(format!(
                "endpoint {s:?}: only http:// and https:// are supported"
            )));
        } else {
            (Scheme::Https, s)
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() {
            return Err(Error::configuration(format!("endpoint {s:?} has no host")));
        }
        if authority.contains(['/', '?', '#', '@', ' '])
            || authority.bytes().any(|b| b.is_ascii_control())
        {
            return Err(Error::configuration(format!(
                "endpoint {s:?}: expected scheme://host[:port] with no path, query or user info"
            )));
        }
        if let Some((host, port)) = split_port(authority) {
            if host.is_empty() || port.parse::<u16>().map(|p| p == 0).unwrap_or(true) {
                return Err(Error::configuration(format!(
                    "endpoint {s:?} has an invalid port"
                )));
            }
        }
        Ok(Endpoint {
            scheme,
            authority: authority.to_ascii_lowercase(),
        })
    }

    /// The endpoint of a gateway in a region.
    pub fn for_gateway(gateway: &Gateway, region: Option<&str>) -> Result<Endpoint> {
        let need_region = || {
            region.filter(|r| !r.trim().is_empty()).ok_or_else(|| {
                Error::configuration(
                    "no region and no endpoint: set a region (e.g. cn-hangzhou) or an endpoint",
                )
            })
        };
        let authority = match gateway {
            Gateway::Shared => format!(
                "kms.{}.aliyuncs.com",
                valid_label(need_region()?, "region")?
            ),
            Gateway::SharedVpc => format!(
                "kms-vpc.{}.aliyuncs.com",
                valid_label(need_region()?, "region")?
            ),
            Gateway::Dedicated { instance_id } => {
                format!(
                    "{}.cryptoservice.kms.aliyuncs.com",
                    valid_label(instance_id, "KMS instance id")?
                )
            }
        };
        Ok(Endpoint {
            scheme: Scheme::Https,
            authority,
        })
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len()
        && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

fn split_port(authority: &str) -> Option<(&str, &str)> {
    if authority.starts_with('[') {
        // IPv6 literal: [::1]:8080
        let end = authority.find(']')?;
        let rest = &authority[end + 1..];
        return rest.strip_prefix(':').map(|p| (&authority[..=end], p));
    }
    authority.rsplit_once(':')
}

fn valid_label<'a>(value: &'a str, what: &str) -> Result<&'a str> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(Error::configuration(format!("invalid {what} {value:?}")));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateways() {
        let e = Endpoint::for_gateway(&Gateway::Shared, Some("cn-hangzhou")).unwrap();
        assert_eq!(e.base_url(), "https://kms.cn-hangzhou.aliyuncs.com");
        let e = Endpoint::for_gateway(&Gateway::SharedVpc, Some("cn-shanghai")).unwrap();
        assert_eq!(e.authority, "kms-vpc.cn-shanghai.aliyuncs.com");
        let e = Endpoint::for_gateway(
            &Gateway::Dedicated {
                instance_id: "kst-hzz6".into(),
            },
            None,
        )
        .unwrap();
        assert_eq!(e.authority, "kst-hzz6.cryptoservice.kms.aliyuncs.com");
        assert!(Endpoint::for_gateway(&Gateway::Shared, None).is_err());
        assert!(Endpoint::for_gateway(&Gateway::Shared, Some("cn/evil")).is_err());
    }

    #[test]
    fn gateway_names() {
        assert_eq!(Gateway::from_name("VPC", None).unwrap(), Gateway::SharedVpc);
        assert_eq!(
            Gateway::from_name("dedicated", Some("kst-1")).unwrap(),
            Gateway::Dedicated {
                instance_id: "kst-1".into()
            }
        );
        assert!(Gateway::from_name("dedicated", None).is_err());
        assert!(Gateway::from_name("moon", None).is_err());
        assert_eq!(Gateway::from_options(None, None).unwrap(), None);
        assert_eq!(
            Gateway::from_options(None, Some("kst-2")).unwrap(),
            Some(Gateway::Dedicated {
                instance_id: "kst-2".into()
            })
        );
        assert_eq!(
            Gateway::from_options(Some("vpc"), None).unwrap(),
            Some(Gateway::SharedVpc)
        );
        assert!(Gateway::from_options(Some("dedicated"), None).is_err());
    }

    #[test]
    fn explicit_endpoints() {
        let e = Endpoint::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            (e.scheme, e.authority.as_str()),
            (Scheme::Http, "127.0.0.1:8080")
        );
        let e = Endpoint::parse("kms.cn-hangzhou.aliyuncs.com").unwrap();
        assert_eq!(e.scheme, Scheme::Https);
        assert_eq!(
            Endpoint::parse("HTTPS://[::1]:443").unwrap().authority,
            "[::1]:443"
        );
        for bad in [
            "ftp://x",
            "http://",
            "http://a/b",
            "http://a:0",
            "http://a:99999",
            "http://u@h",
            "http://:80",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }
}
