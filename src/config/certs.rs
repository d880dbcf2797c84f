//! Reading `feed.ca_file`: a leaf of config, so that validation and the feed's TLS setup
//! both read a studio's certificates the same way without pointing at the loader.

use std::path::Path;

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
