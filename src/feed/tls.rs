//! TLS for `wss://` feeds: the public roots, plus a studio's own relay's certificate from
//! `feed.ca_file`, and certificate failures told in plain words. A certificate that does
//! not verify is no passing trouble: retrying cannot fix it, so the client stops and says
//! what to do, and there is no switch to skip verification.

use std::path::Path;
use std::sync::Arc;

use rustls::{CertificateError, ClientConfig};
use tokio_tungstenite::tungstenite::Error as WsError;

use crate::protocol::sanitize::{MAX_NAME_CHARS, sanitize};

/// The client's TLS setup: the public web roots, and those in `ca_file` on top.
pub(super) fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, String> {
    crate::config::certs::client_config(ca_file)
}

/// When `e` is the platform's certificate failing to verify: the one line the operator
/// reads (the address, the reason, what to do).
pub(super) fn certificate_refused(url: &str, e: &WsError) -> Option<String> {
    let WsError::Io(io) = e else { return None };
    let rustls::Error::InvalidCertificate(why) = io.get_ref()?.downcast_ref::<rustls::Error>()? else {
        return None;
    };
    let why = match why {
        CertificateError::UnknownIssuer => "it is signed by no authority livedesk trusts".to_owned(),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            "it was made for another name".to_owned()
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => "it has expired".to_owned(),
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "it is not valid yet".to_owned()
        }
        CertificateError::Revoked => "it was revoked".to_owned(),
        CertificateError::BadSignature => "its signature is wrong".to_owned(),
        // What `openssl req -x509` makes by default: a CA certificate (CA:TRUE), which
        // webpki will not take as the relay's own, even when it is in `ca_file`.
        other if format!("{other:?}").contains("CaUsedAsEndEntity") => "it is a CA certificate, \
             which cannot be the relay's own: give the relay a certificate signed by that CA \
             (or one made without CA:TRUE)"
            .to_owned(),
        other => sanitize(&format!("{other:?}"), MAX_NAME_CHARS),
    };
    Some(format!(
        "The feed at {} sent a certificate that does not verify: {why}. \
         For a studio's own relay, set feed.ca_file in settings.toml to its CA certificate (PEM); \
         otherwise check feed.url",
        sanitize(url, MAX_NAME_CHARS)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::certs::read_roots;

    #[test]
    fn a_ca_file_that_is_no_certificate_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let e = read_roots(&path).unwrap_err();
        assert!(e.contains("relay.pem holds no certificate"), "{e}");
        let e = client_config(Some(&dir.path().join("missing.pem"))).unwrap_err();
        assert!(e.starts_with("cannot read ") && e.contains("missing.pem"), "{e}");
    }

    #[test]
    fn a_studio_certificate_joins_the_public_roots() {
        let key = rcgen::generate_simple_self_signed(vec!["relay.local".into()]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay.pem");
        std::fs::write(&path, key.cert.pem()).unwrap();
        assert_eq!(read_roots(&path).unwrap(), vec![key.cert.der().clone()]);
        assert!(client_config(Some(&path)).is_ok());
    }

    #[test]
    fn only_certificate_failures_are_told_as_such() {
        let bad = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let e = WsError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, bad));
        let line = certificate_refused("wss://relay.local/", &e).unwrap();
        assert!(line.starts_with("The feed at wss://relay.local/ sent a certificate that does not verify"));
        assert!(line.contains("feed.ca_file"), "{line}");
        let ca = rustls::OtherError(std::sync::Arc::new(std::io::Error::other("CaUsedAsEndEntity")));
        let ca = rustls::Error::InvalidCertificate(CertificateError::Other(ca));
        let e = WsError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, ca));
        let line = certificate_refused("wss://relay.local/", &e).unwrap();
        assert!(line.contains("it is a CA certificate, which cannot be the relay's own"), "{line}");
        let refused = WsError::Io(std::io::ErrorKind::ConnectionRefused.into());
        assert_eq!(certificate_refused("wss://relay.local/", &refused), None);
    }
}
