//! Reading `feed.ca_file` and `store.ca_file`: a leaf of config, so that validation, the
//! feed's TLS and the store's read a studio's certificates the same way without pointing at
//! the loader.

use std::path::Path;
use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// The certificates in a PEM file (`feed.ca_file`), to trust as roots for a `wss://` relay;
/// an error says what is wrong with the file.
pub fn read_roots(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| match e {
            rustls::pki_types::pem::Error::Io(io) => format!("cannot read {}: {io}", path.display()),
            other => format!("{} is not a PEM certificate file ({other:?})", path.display()),
        })?;
    if certs.is_empty() {
        return Err(format!("{} holds no certificate (no BEGIN CERTIFICATE block)", path.display()));
    }
    Ok(certs)
}

/// A TLS client's setup (ring, verified always): the public web roots, and those in `ca_file` on top.
pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, String> {
    let mut roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if let Some(path) = ca_file {
        for cert in read_roots(path)? {
            roots
                .add(cert)
                .map_err(|e| format!("{}: a certificate livedesk cannot use ({e})", path.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS cannot be set up: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
