//! A real SMTP server on loopback: enough of RFC 5321 for lettre (and any relay client) to deliver,
//! with no STARTTLS offered. Each delivered message is kept, raw, for the test to read.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One delivered message: the envelope and the data (headers and body as sent, dot-unstuffed).
#[derive(Debug, Clone)]
pub struct Message {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Message {
    /// A header's value, unfolded, with RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`)
    /// decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = self.data.split_once("\r\n\r\n")?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.split("\r\n").find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| decode_words(value.trim()))
        })
    }

    /// The body as text, its Content-Transfer-Encoding undone (a single-part UTF-8 message).
    pub fn text(&self) -> String {
        let (_, body) = self.data.split_once("\r\n\r\n").expect("headers end");
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "quoted-printable" => {
                quoted_printable::decode(body, quoted_printable::ParseMode::Strict)
                    .expect("valid quoted-printable")
            }
            "base64" => base64::engine::general_purpose::STANDARD
                .decode(body.replace("\r\n", ""))
                .expect("valid base64"),
            _ => body.as_bytes().to_vec(),
        };
        String::from_utf8(bytes).expect("a UTF-8 body")
    }
}

fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let Some(word) = rest[start + 2..].split_once("?=").map(|(w, _)| w) else {
            break;
        };
        let mut parts = word.splitn(3, '?');
        let (Some(charset), Some(kind), Some(text)) = (parts.next(), parts.next(), parts.next())
        else {
            break;
        };
        assert!(charset.eq_ignore_ascii_case("utf-8"), "charset {charset}");
        let bytes = match kind {
            "b" | "B" => base64::engine::general_purpose::STANDARD
                .decode(text)
                .expect("valid base64 word"),
            "q" | "Q" => quoted_printable::decode(
                text.replace('_', " "),
                quoted_printable::ParseMode::Strict,
            )
            .expect("valid q word"),
            other => panic!("encoding {other}"),
        };
        // Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
        let before = &rest[..start];
        if !(after_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        after_word = true;
        out.push_str(&String::from_utf8(bytes).expect("a UTF-8 word"));
        rest = &rest[start + 2 + word.len() + 2..];
    }
    out.push_str(rest);
    out
}

#[derive(Clone)]
pub struct SmtpListener {
    port: u16,
    messages: Arc<Mutex<Vec<Message>>>,
}

impl SmtpListener {
    /// Listens on 127.0.0.1 on a free port until the test's runtime ends.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let kept = messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    if let Err(e) = session(stream, kept).await {
                        eprintln!("smtp listener: session ended: {e}");
                    }
                });
            }
        });
        Self { port, messages }
    }

    /// What `[smtp] url` should be (with `require_tls = false`: the listener has no TLS).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Message> {
        self.messages.lock().unwrap().clone()
    }

    /// The first message with `to` among its recipients; panics after `timeout`.
    pub async fn wait_for(&self, to: &str, timeout: Duration) -> Message {
        let started = Instant::now();
        loop {
            if let Some(m) = self
                .messages()
                .into_iter()
                .find(|m| m.to.iter().any(|r| r.eq_ignore_ascii_case(to)))
            {
                return m;
            }
            assert!(
                started.elapsed() < timeout,
                "no mail to {to} within {timeout:?}; got {:?}",
                self.messages()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The address in `MAIL FROM:<a> SIZE=…` or `RCPT TO:<a>`, without its parameters.
fn path_of(arg: &str) -> Option<String> {
    let arg = arg.trim_start();
    let inner = arg.strip_prefix('<')?.split_once('>')?.0;
    Some(inner.to_string())
}

/// One connection. Commands are answered in order as they are read, so pipelined ones work.
async fn session(stream: TcpStream, kept: Arc<Mutex<Vec<Message>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut reply = async |text: &str| write.write_all(format!("{text}\r\n").as_bytes()).await;
    reply("220 127.0.0.1 ESMTP dossier-test").await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    // Bytes, not `read_line`: a message need not be UTF-8 for the session to go on.
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line);
        let command = command.trim_end_matches(['\r', '\n']);
        let (verb, arg) = command.split_once(' ').unwrap_or((command, ""));
        let verb = verb.to_ascii_uppercase();
        let upper = arg.to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                reply("250-127.0.0.1").await?;
                reply("250-8BITMIME").await?;
                reply("250-SMTPUTF8").await?;
                reply("250-PIPELINING").await?;
                reply("250 SIZE 10485760").await?;
            }
            "HELO" => reply("250 127.0.0.1").await?,
            "MAIL" if upper.starts_with("FROM:") => match path_of(&arg[5..]) {
                Some(a) => {
                    from = Some(a);
                    to.clear();
                    reply("250 OK").await?
                }
                None => reply("501 Syntax: MAIL FROM:<address>").await?,
            },
            "RCPT" if upper.starts_with("TO:") => match (&from, path_of(&arg[3..])) {
                (None, _) => reply("503 MAIL first").await?,
                (Some(_), Some(a)) if !a.is_empty() => {
                    to.push(a);
                    reply("250 OK").await?
                }
                _ => reply("501 Syntax: RCPT TO:<address>").await?,
            },
            "DATA" => {
                let Some(sender) = from.take().filter(|_| !to.is_empty()) else {
                    reply("503 MAIL and RCPT first").await?;
                    continue;
                };
                reply("354 End data with <CR><LF>.<CR><LF>").await?;
                let mut data = Vec::new();
                loop {
                    line.clear();
                    if lines.read_until(b'\n', &mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == b".\r\n" {
                        break;
                    }
                    // Dot-unstuffing (RFC 5321 §4.5.2).
                    data.extend_from_slice(line.strip_prefix(b".").unwrap_or(&line));
                }
                let data = String::from_utf8_lossy(&data).into_owned();
                kept.lock().unwrap().push(Message {
                    from: sender,
                    to: std::mem::take(&mut to),
                    data,
                });
                reply("250 OK: queued").await?
            }
            "RSET" => {
                from = None;
                to.clear();
                reply("250 OK").await?
            }
            "NOOP" => reply("250 OK").await?,
            "QUIT" => {
                reply("221 Bye").await?;
                return Ok(());
            }
            _ => reply("502 Command not implemented").await?,
        }
    }
}
