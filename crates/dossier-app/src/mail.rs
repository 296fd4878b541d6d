//! TEMPORARY (replaced by the harness branch's lettre mailer before commit).
use crate::config::SmtpConfig;
use crate::error::AppResult;

pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

pub struct Mailer;

impl Mailer {
    pub fn new(_: &SmtpConfig) -> anyhow::Result<Self> {
        Ok(Self)
    }
    pub async fn send(&self, mail: Mail) -> AppResult<()> {
        tracing::info!(to = %mail.to, subject = %mail.subject, "mail (no SMTP configured):\n{}", mail.text);
        Ok(())
    }
}
