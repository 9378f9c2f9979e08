//! DNS resolution that refuses non-public addresses: used by the transport's client for every
//! connection (so the address connected to is the one checked: no second lookup an attacker's
//! DNS could answer differently) and by the registration check.

use std::net::{IpAddr, SocketAddr};

use domain::webhooks::address::forbidden_reason;
use domain::webhooks::DestinationError;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Checks `addresses`: every one must be public unless `allow_private`; at least one is needed.
pub(super) fn check_addresses(addresses: &[IpAddr], allow_private: bool) -> Result<(), DestinationError> {
    if addresses.is_empty() {
        return Err(DestinationError::Unresolvable);
    }
    if allow_private {
        return Ok(());
    }
    // One bad address refuses the host: the connection could go to any of them.
    match addresses.iter().find_map(|ip| forbidden_reason(*ip).map(|reason| (ip, reason))) {
        Some((ip, reason)) => Err(DestinationError::Forbidden { address: ip.to_string(), reason }),
        None => Ok(()),
    }
}

/// The addresses `host` resolves to, checked.
pub(super) async fn resolve_checked(host: &str, allow_private: bool) -> Result<Vec<SocketAddr>, DestinationError> {
    let found: Vec<SocketAddr> = match tokio::net::lookup_host((host, 0)).await {
        Ok(addresses) => addresses.collect(),
        Err(_) => return Err(DestinationError::Unresolvable),
    };
    let ips: Vec<IpAddr> = found.iter().map(SocketAddr::ip).collect();
    check_addresses(&ips, allow_private)?;
    Ok(found)
}

/// reqwest's resolver hook: resolves with the system resolver, then refuses the host when any
/// address is not public (unless `allow_private`).
#[derive(Clone, Copy, Debug)]
pub(super) struct GuardedResolver {
    pub(super) allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            match resolve_checked(name.as_str(), allow_private).await {
                Ok(addresses) => Ok(Box::new(addresses.into_iter()) as Addrs),
                Err(err) => Err(Box::new(err) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn one_private_address_refuses_the_host_unless_allowed() {
        assert!(check_addresses(&ips(&["8.8.8.8", "1.1.1.1"]), false).is_ok());
        let refused = check_addresses(&ips(&["8.8.8.8", "10.1.2.3"]), false).unwrap_err();
        assert!(matches!(refused, DestinationError::Forbidden { ref address, .. } if address == "10.1.2.3"));
        assert!(check_addresses(&ips(&["10.1.2.3"]), true).is_ok());
        assert_eq!(check_addresses(&[], true), Err(DestinationError::Unresolvable));
    }

    #[tokio::test]
    async fn localhost_resolves_to_loopback_and_is_refused() {
        let err = resolve_checked("localhost", false).await.unwrap_err();
        assert!(matches!(err, DestinationError::Forbidden { .. } | DestinationError::Unresolvable), "{err:?}");
        assert!(resolve_checked("localhost", true).await.is_ok());
    }
}
