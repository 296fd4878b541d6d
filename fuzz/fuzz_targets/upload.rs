//! A document upload as `POST /api/applications/{id}/documents` reads it, without the server: the
//! `Content-Type` header's boundary, the multipart body (through multer, which axum's `Multipart`
//! wraps) arriving in chunks, the text parts' checks, the file name normalised, the size counted and
//! the first bytes sniffed against the declared type and the name's extension (`check_upload`).
//! Input: the `Content-Type` value, a newline, one byte for the chunk size, then the body.
#![no_main]

use std::future::Future;
use std::pin::pin;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use dossier_domain::workflow::DocumentCatalogue;
use dossier_domain::workflow::documents::{SNIFF_LEN, check_upload, normalise_filename};
use libfuzzer_sys::fuzz_target;

/// Small, so the limit is reached by fuzzed bodies too.
const LIMIT: u64 = 64 * 1024;

static CATALOGUE: LazyLock<DocumentCatalogue> = LazyLock::new(DocumentCatalogue::default);

/// The body is all in memory, so nothing may wait: a pending future would be a hang.
fn run<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000_000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("an in-memory multipart body kept the parser pending");
}

/// `small_text` of the handler: at most 1 KiB of UTF-8 without NUL.
async fn small_text(mut field: multer::Field<'_>) -> Result<String, String> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| e.to_string())? {
        buf.extend_from_slice(&chunk);
        if buf.len() > 1024 {
            return Err("at most 1024 bytes".into());
        }
    }
    let text = String::from_utf8(buf).map_err(|_| "must be UTF-8 text".to_string())?;
    if text.contains('\0') {
        return Err("must not contain the NUL character".into());
    }
    Ok(text)
}

async fn receive(mut multipart: multer::Multipart<'static>) -> Result<(), String> {
    let mut file_seen = false;
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        match field.name().unwrap_or("") {
            "type" => {
                let t = small_text(field).await?;
                CATALOGUE.get(&t).ok_or("unknown document type")?;
            }
            "relationship_id" => {
                small_text(field).await?;
            }
            "file" if field.file_name() == Some("") => {
                small_text(field).await?;
            }
            "file" if !file_seen => {
                file_seen = true;
                if field.file_name().is_some_and(|n| n.contains('\0')) {
                    return Err("NUL in the file name".into());
                }
                let filename = field.file_name().and_then(normalise_filename);
                let declared = field.content_type().map(|m| m.to_string());
                let mut field = field;
                let (mut size, mut head) = (0u64, Vec::with_capacity(SNIFF_LEN));
                while let Some(chunk) = field.chunk().await.map_err(|e| e.to_string())? {
                    size += chunk.len() as u64;
                    if size > LIMIT {
                        return Err("too large".into());
                    }
                    let take = chunk.len().min(SNIFF_LEN - head.len());
                    head.extend_from_slice(&chunk[..take]);
                }
                let kind = check_upload(&head, declared.as_deref(), filename.as_deref())
                    .map_err(|e| e.to_string())?;
                assert!(kind.accepted());
            }
            "file" => return Err("send one file per upload".into()),
            _ => return Err("unknown part".into()),
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let Some(newline) = data.iter().position(|&b| b == b'\n') else {
        return;
    };
    let Ok(content_type) = std::str::from_utf8(&data[..newline]) else {
        return;
    };
    let Some((&chunking, body)) = data[newline + 1..].split_first() else {
        return;
    };
    let Ok(boundary) = multer::parse_boundary(content_type) else {
        return;
    };
    let size = usize::from(chunking) + 1;
    let chunks: Vec<Result<Bytes, std::io::Error>> = body
        .chunks(size)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let multipart = multer::Multipart::new(futures_util::stream::iter(chunks), boundary);
    let _ = run(receive(multipart));
});
