//! Outgoing mail (`[smtp]`): plain-text messages through the operator's relay with lettre, or,
//! with no relay configured, into the log (development).

use std::borrow::Cow;
use std::time::Duration;

use anyhow::anyhow;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use percent_encoding::percent_decode_str;
use url::{Host, Url};

use crate::config::SmtpConfig;
use crate::error::{AppError, AppResult};

/// Connecting, and each command's answer, within this; a relay that hangs fails the send.
const TIMEOUT: Duration = Duration::from_secs(10);

/// One message: a recipient address, a subject and a plain-text body (UTF-8).
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// Sends [`Mail`]. Made once at start (a wrong `[smtp]` fails the start, not the first send);
/// each send opens its own connection.
pub struct Mailer {
    from: Mailbox,
    /// `None`: no `smtp.url`, messages go to the log.
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

impl Mailer {
    pub fn new(config: &SmtpConfig) -> anyhow::Result<Self> {
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|e| anyhow!("`smtp.from`: `{}` is not a mail address: {e}", config.from))?;
        let transport = match config.url.as_str() {
            "" => None,
            url => Some(
                transport(url, config.require_tls)
                    .map_err(|e| anyhow!("`smtp.url`: `{}`: {e}", redact(url)))?,
            ),
        };
        Ok(Self { from, transport })
    }

    /// Sends one message. A failure (a bad recipient address, the relay unreachable, refusing or
    /// too slow) is an [`AppError::Internal`] whose cause is logged here: the caller decides what
    /// the visitor sees.
    pub async fn send(&self, mail: Mail) -> AppResult<()> {
        let Some(transport) = &self.transport else {
            tracing::info!(
                to = %mail.to,
                subject = %mail.subject,
                body = %mail.text,
                "mail not sent: no `smtp.url` is configured, so it is logged instead"
            );
            return Ok(());
        };
        let result = async {
            let to = mail
                .to
                .parse::<Mailbox>()
                .map_err(|e| format!("recipient `{}`: {e}", mail.to))?;
            // Relays and spam filters expect a Message-ID; lettre's default names `localhost`.
            let id = format!(
                "<{:032x}@{}>",
                rand::random::<u128>(),
                self.from.email.domain()
            );
            let message = Message::builder()
                .message_id(Some(id))
                .from(self.from.clone())
                .to(to)
                .subject(mail.subject)
                .header(ContentType::TEXT_PLAIN)
                .body(mail.text)
                .map_err(|e| e.to_string())?;
            transport.send(message).await.map_err(|e| e.to_string())
        }
        .await;
        result.map(drop).map_err(|cause| {
            tracing::warn!(to = %mail.to, %cause, "mail not sent");
            AppError::internal("sending mail", cause)
        })
    }
}

/// `smtp://host[:port]` (STARTTLS: required, or used when offered if `require_tls` is off) or
/// `smtps://host[:port]` (TLS from the start), with optional `user:password@` (percent-encoded).
fn transport(raw: &str, require_tls: bool) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let url = Url::parse(raw).map_err(|e| format!("not a URL: {e}"))?;
    let scheme = url.scheme();
    if !matches!(scheme, "smtp" | "smtps") {
        return Err(format!(
            "scheme `{scheme}`: use smtp:// (STARTTLS) or smtps:// (TLS)"
        ));
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(
            "has a path, query or fragment; write smtp(s)://[user:password@]host:port".into(),
        );
    }
    // Unbracketed, as both the resolver and the certificate check want an IPv6 address.
    let host = match url.host() {
        Some(Host::Domain(d)) if !d.is_empty() => d.to_string(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err("has no host".into()),
    };
    let tls_parameters = TlsParameters::new(host.clone()).map_err(|e| format!("TLS: {e}"))?;
    let (tls, default_port) = match (scheme, require_tls) {
        ("smtps", _) => (Tls::Wrapper(tls_parameters), 465),
        (_, true) => (Tls::Required(tls_parameters), 587),
        (_, false) => (Tls::Opportunistic(tls_parameters), 587),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(url.port().unwrap_or(default_port))
        .tls(tls)
        .timeout(Some(TIMEOUT));
    match url.password() {
        Some(password) => {
            let decode = |s: &str| {
                percent_decode_str(s)
                    .decode_utf8()
                    .map(Cow::into_owned)
                    .map_err(|e| format!("credentials are not UTF-8: {e}"))
            };
            builder =
                builder.credentials(Credentials::new(decode(url.username())?, decode(password)?));
        }
        None if !url.username().is_empty() => {
            return Err("a user without a password; write user:password@".into());
        }
        None => {}
    }
    Ok(builder.build())
}

/// The URL for an error message: its password replaced.
fn redact(raw: &str) -> Cow<'_, str> {
    match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            Cow::Owned(url.to_string())
        }
        _ => Cow::Borrowed(raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> SmtpConfig {
        SmtpConfig {
            url: url.into(),
            from: "Dossier <kyc@example.com>".into(),
            require_tls: true,
        }
    }

    #[test]
    fn accepted_urls() {
        for url in [
            "",
            "smtp://relay.example.com:587",
            "smtp://relay.example.com",
            "smtps://relay.example.com:465",
            "smtp://user%40example.com:p%40ss%2Fword@relay.example.com:587",
            "smtp://127.0.0.1:2525",
            "smtp://[::1]:2525",
        ] {
            Mailer::new(&config(url)).unwrap_or_else(|e| panic!("{url}: {e}"));
        }
    }

    #[test]
    fn refused_urls_name_the_key_and_hide_the_password() {
        for (url, says) in [
            ("relay.example.com:587", "scheme"),
            ("http://relay.example.com", "scheme `http`"),
            ("smtp://", "no host"),
            ("smtp://relay.example.com:587/x", "path"),
            ("smtp://relay.example.com:587?tls=required", "query"),
            ("smtp://user@relay.example.com", "without a password"),
            ("smtp://user:secret@relay.example.com/x", "path"),
        ] {
            let e = Mailer::new(&config(url)).err().expect(url).to_string();
            assert!(
                e.starts_with("`smtp.url`") && e.contains(says),
                "{url}: {e}"
            );
            assert!(!e.contains("secret"), "{e}");
        }
    }

    #[test]
    fn the_sender_must_be_an_address() {
        let mut c = config("");
        c.from = "not an address".into();
        let e = Mailer::new(&c).err().expect("refused").to_string();
        assert!(e.starts_with("`smtp.from`"), "{e}");
    }
}
