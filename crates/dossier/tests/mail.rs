//! The mailer (`dossier_app::mail`) against a real SMTP server on loopback.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::smtp::SmtpListener;
use dossier_app::AppError;
use dossier_app::config::SmtpConfig;
use dossier_app::mail::{Mail, Mailer};

const TO: &str = "claire.martin@example.fr";
const SUBJECT: &str = "Votre code de vérification";
// Accents, a line that is only a dot and one that starts with a dot (SMTP's dot-stuffing).
const TEXT: &str = "Bonjour Zoë,\n\nVotre code : 428193. Il expire dans 10 minutes.\n.\n\
                    .À bientôt — l'équipe conformité\n";

fn mailer(url: String, require_tls: bool) -> Mailer {
    Mailer::new(&SmtpConfig {
        url,
        from: "Dossier KYC <kyc@example.com>".into(),
        require_tls,
    })
    .unwrap()
}

fn mail() -> Mail {
    Mail {
        to: TO.into(),
        subject: SUBJECT.into(),
        text: TEXT.into(),
    }
}

#[tokio::test]
async fn delivers_a_utf8_plain_text_message() {
    let smtp = SmtpListener::start().await;
    mailer(smtp.url(), false).send(mail()).await.unwrap();

    let m = smtp.wait_for(TO, Duration::from_secs(5)).await;
    assert_eq!(m.from, "kyc@example.com");
    assert_eq!(m.to, [TO]);
    assert_eq!(m.header("Subject").as_deref(), Some(SUBJECT));
    assert_eq!(m.header("To").as_deref(), Some(TO));
    let from = m.header("From").unwrap();
    assert!(
        from.contains("Dossier KYC") && from.contains("<kyc@example.com>"),
        "{from}"
    );
    let id = m.header("Message-ID").unwrap();
    assert!(id.starts_with('<') && id.ends_with("@example.com>"), "{id}");
    let content_type = m.header("Content-Type").unwrap().to_ascii_lowercase();
    assert_eq!(content_type, "text/plain; charset=utf-8");
    // lettre ends DATA with CRLF.CRLF after the body's own line end, which leaves an empty line.
    let text = m.text().replace("\r\n", "\n");
    assert_eq!(text.trim_end_matches('\n'), TEXT.trim_end_matches('\n'));
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn require_tls_refuses_a_relay_without_starttls() {
    let smtp = SmtpListener::start().await;
    let err = mailer(smtp.url(), true).send(mail()).await.unwrap_err();
    let AppError::Internal(cause) = err else {
        panic!("{err:?}")
    };
    assert!(cause.contains("STARTTLS"), "{cause}");
    assert!(smtp.messages().is_empty());
}

#[tokio::test]
async fn an_unreachable_relay_is_an_internal_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = mailer(format!("smtp://127.0.0.1:{port}"), false)
        .send(mail())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Internal(_)), "{err:?}");
}

/// A `MakeWriter` for the log lines of one test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn without_a_url_the_message_is_logged_not_sent() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // A current-thread runtime: the send below runs on this thread, under this subscriber.
    let _guard = tracing::subscriber::set_default(subscriber);

    mailer(String::new(), true).send(mail()).await.unwrap();

    let logged = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains(" INFO "), "{logged}");
    assert!(logged.contains("mail not sent"), "{logged}");
    for part in [TO, SUBJECT, TEXT] {
        assert!(logged.contains(part), "{part:?} not in {logged}");
    }
}
