//! SIP trunks over TLS (RFC 3261 §26): the relay verifies the provider's
//! certificate against the system roots plus `CALLCARD_SIP_TLS_CA`.
//!
//! The provider is SIPp as a registrar behind a TLS end made here: Debian's
//! SIPp is built without OpenSSL (`-t l1` is refused), so the test terminates
//! TLS with a certificate for 127.0.0.1 from its own CA (rcgen) and passes the
//! plaintext on to SIPp over TCP (`-t t1`), keeping a copy of what the relay
//! sent.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use callcard_relay::config::Config;
use callcard_tests::events::EventStream;
use callcard_tests::sipp::{Scenario, Sipp};
use callcard_tests::{get_json, TestRelay};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};

const WAIT: Duration = Duration::from_secs(10);

/// A private CA and a server certificate for 127.0.0.1 it signed.
struct Pki {
    ca_pem: String,
    cert_pem: String,
    key_pem: String,
}

fn pki() -> Pki {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Callcard test provider CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().expect("server key");
    let mut server = CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("params");
    server
        .distinguished_name
        .push(DnType::CommonName, "sip.provider.test");
    let cert = server.signed_by(&key, &issuer).expect("server certificate");
    Pki {
        ca_pem: ca_cert.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// The provider's TLS end: accepts TLS on a loopback port with `pki`'s
/// certificate and relays each connection to `backend` over TCP. What the
/// relay sent (decrypted) collects in `seen`.
struct TlsFront {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<u8>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn tls_front(pki: &Pki, backend: SocketAddr) -> TlsFront {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = vec![CertificateDer::from_pem_slice(pki.cert_pem.as_bytes()).expect("cert PEM")];
    let key = PrivateKeyDer::from_pem_slice(pki.key_pem.as_bytes()).expect("key PEM");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let task = tokio::spawn({
        let seen = seen.clone();
        async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                let seen = seen.clone();
                tokio::spawn(async move {
                    // A client that refuses the certificate ends here.
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(sipp) = TcpStream::connect(backend).await else {
                        return;
                    };
                    pipe(tls, sipp, seen).await;
                });
            }
        }
    });
    TlsFront { addr, seen, task }
}

/// Copies both ways until either side closes; keeps what came from `client`.
async fn pipe<C>(client: C, server: TcpStream, seen: Arc<Mutex<Vec<u8>>>)
where
    C: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut client_rx, mut client_tx) = tokio::io::split(client);
    let (mut server_rx, mut server_tx) = server.into_split();
    let mut up = vec![0u8; 4096];
    let mut down = vec![0u8; 4096];
    loop {
        tokio::select! {
            read = client_rx.read(&mut up) => {
                let Ok(n @ 1..) = read else { return };
                seen.lock().unwrap().extend_from_slice(&up[..n]);
                if server_tx.write_all(&up[..n]).await.is_err() {
                    return;
                }
            }
            read = server_rx.read(&mut down) => {
                let Ok(n @ 1..) = read else { return };
                if client_tx.write_all(&down[..n]).await.is_err() || client_tx.flush().await.is_err() {
                    return;
                }
            }
        }
    }
}

/// A relay with the demo data, trusting the CA file `tls_ca` if given, and
/// its admin's session.
async fn relay(tls_ca: Option<&str>) -> (TestRelay, reqwest::Client) {
    let data = tempfile::tempdir().expect("temp dir");
    let mut config = Config::with_data_dir(data.path());
    config.demo = true;
    config.static_dir = "/nonexistent-dist".into();
    if let Some(pem) = tls_ca {
        let path = data.path().join("provider-ca.pem");
        std::fs::write(&path, pem).expect("write the CA");
        config.sip_tls_ca = Some(path);
    }
    let relay = TestRelay::start_config(config, data).await;
    let admin = relay.signed_in("admin").await;
    (relay, admin)
}

async fn create_tls_trunk(relay: &TestRelay, admin: &reqwest::Client, host: SocketAddr) -> i64 {
    let response = admin
        .post(relay.url("/api/trunks"))
        .json(&json!({
            "name": format!("TLS provider {}", host.port()),
            "number": "+74950000000",
            "username": "trunkuser",
            "password": "trunkpass",
            "domain": "sipp.test",
            "host": host.to_string(),
            "transport": "tls",
            "register": true,
            "expires": 120,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_tls_trunk_registers_when_the_providers_ca_is_trusted() {
    let pki = pki();
    let (relay, admin) = relay(Some(&pki.ca_pem)).await;
    let mut admin_events = EventStream::open(&admin, &relay.url("/api/events")).await;
    let registrar = Sipp::serve_with(Scenario::File("registrar.xml"), 1, &["-t", "t1"]);
    let front = tls_front(&pki, registrar.addr).await;
    let id = create_tls_trunk(&relay, &admin, front.addr).await;
    // Watched live: SIPp closes the connection when its scenario ends, and the
    // status then rightly turns to a transport error.
    loop {
        let (_, event) = admin_events.next("the TLS trunk registered", WAIT).await;
        if event["trunk_id"] != id {
            continue;
        }
        let state = &event["status"]["state"];
        assert_ne!(state, "failed", "{event}");
        if state == "registered" {
            break;
        }
    }
    registrar
        .finished(WAIT)
        .await
        .expect("the registrar saw the digest over TLS");
    let sent = String::from_utf8_lossy(&front.seen.lock().unwrap()).into_owned();
    assert!(sent.starts_with("REGISTER sip:"), "{sent}");
    assert!(sent.contains("Via: SIP/2.0/TLS "), "{sent}");
    assert!(sent.contains(";transport=tls"), "{sent}");
    assert!(sent.contains("Authorization: Digest"), "{sent}");
}

#[tokio::test]
async fn a_tls_trunk_whose_certificate_is_not_trusted_shows_failed_with_the_reason() {
    let pki = pki();
    // The relay trusts the system roots only: the provider's private CA is unknown.
    let (relay, admin) = relay(None).await;
    let registrar = Sipp::serve_with(Scenario::File("registrar.xml"), 1, &["-t", "t1"]);
    let front = tls_front(&pki, registrar.addr).await;
    let id = create_tls_trunk(&relay, &admin, front.addr).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    let status = loop {
        let trunk: Value = get_json(&admin, relay.url(&format!("/api/trunks/{id}"))).await;
        let status = trunk["status"].clone();
        if status["state"] == "failed" || tokio::time::Instant::now() > deadline {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status["state"], "failed", "{status}");
    let reason = status["reason"].as_str().unwrap();
    assert!(reason.starts_with("transport error: TLS"), "{reason}");
    assert!(reason.contains("certificate"), "{reason}");
    assert!(
        front.seen.lock().unwrap().is_empty(),
        "nothing is sent to an untrusted provider"
    );
}
