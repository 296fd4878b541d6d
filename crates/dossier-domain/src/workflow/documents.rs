//! Documents as pure functions: the document-type catalogue (shipped as data, extendable per
//! workspace), validation-status changes, and content sniffing from the first bytes of a file.

use super::facts::DocumentStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const DEFAULT_TYPES: &str = include_str!("../../data/document_types.json");

/// Bytes the sniffer needs: the server reads this much before deciding, not the whole body.
pub const SNIFF_LEN: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentType {
    #[serde(rename = "type")]
    pub name: String,
    pub label: String,
    /// `person`, `business` or both: whose document it can be.
    pub subjects: Vec<String>,
    /// Codes a reviewer picks from when marking a document invalid.
    pub invalid_reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentCatalogue {
    types: BTreeMap<String, DocumentType>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("unknown document type {0:?}")]
    UnknownType(String),
    #[error("marking a document invalid needs a reason, one of: {}", .0.join(", "))]
    ReasonRequired(Vec<String>),
    #[error("{reason:?} is not a reason for this document type; use one of: {}", .allowed.join(", "))]
    UnknownReason {
        reason: String,
        allowed: Vec<String>,
    },
    #[error("a reason is only given when marking a document invalid")]
    ReasonNotExpected,
    #[error("document type {0:?}: {1}")]
    BadType(String, String),
}

impl DocumentCatalogue {
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        let list: Vec<DocumentType> = serde_json::from_str(text)?;
        Ok(DocumentCatalogue {
            types: list.into_iter().map(|t| (t.name.clone(), t)).collect(),
        })
    }

    /// Adds or replaces types (a workspace's own catalogue on top of the default one).
    pub fn extend(&mut self, types: Vec<DocumentType>) -> Result<(), DocumentError> {
        for t in &types {
            let api_name = !t.name.is_empty()
                && t.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !api_name {
                return Err(DocumentError::BadType(
                    t.name.clone(),
                    "use lower-case letters, digits and underscores".into(),
                ));
            }
            if t.invalid_reasons.is_empty() {
                return Err(DocumentError::BadType(
                    t.name.clone(),
                    "list at least one invalidity reason".into(),
                ));
            }
            if t.subjects.is_empty() || t.subjects.iter().any(|s| s != "person" && s != "business")
            {
                return Err(DocumentError::BadType(
                    t.name.clone(),
                    "subjects are person and/or business".into(),
                ));
            }
        }
        for t in types {
            self.types.insert(t.name.clone(), t);
        }
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&DocumentType> {
        self.types.get(name)
    }

    pub fn names(&self) -> Vec<&str> {
        self.types.keys().map(String::as_str).collect()
    }

    pub fn types(&self) -> impl Iterator<Item = &DocumentType> {
        self.types.values()
    }

    /// Checks a `PATCH` of a document's status: `invalid` needs a reason from the type's list.
    pub fn check_status(
        &self,
        document_type: &str,
        status: DocumentStatus,
        reason: Option<&str>,
    ) -> Result<(), DocumentError> {
        let t = self
            .get(document_type)
            .ok_or_else(|| DocumentError::UnknownType(document_type.into()))?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        match (status, reason) {
            (DocumentStatus::Invalid, None) => {
                Err(DocumentError::ReasonRequired(t.invalid_reasons.clone()))
            }
            (DocumentStatus::Invalid, Some(r)) if !t.invalid_reasons.iter().any(|x| x == r) => {
                Err(DocumentError::UnknownReason {
                    reason: r.into(),
                    allowed: t.invalid_reasons.clone(),
                })
            }
            (DocumentStatus::Invalid, Some(_)) => Ok(()),
            (_, Some(_)) => Err(DocumentError::ReasonNotExpected),
            (_, None) => Ok(()),
        }
    }
}

impl Default for DocumentCatalogue {
    fn default() -> Self {
        Self::from_json(DEFAULT_TYPES).expect("shipped document_types.json is valid")
    }
}

/// What the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContentKind {
    Pdf,
    Jpeg,
    Png,
    Webp,
    Heic,
    Heif,
    Tiff,
    // Recognised but refused:
    Html,
    Xml,
    Svg,
    Zip,
    Gif,
    Gzip,
    Rar,
    SevenZip,
    OfficeLegacy,
    Executable,
    Unknown,
}

impl ContentKind {
    /// The accepted kinds (what an upload may be).
    pub const ACCEPTED: [ContentKind; 7] = [
        ContentKind::Pdf,
        ContentKind::Jpeg,
        ContentKind::Png,
        ContentKind::Webp,
        ContentKind::Heic,
        ContentKind::Heif,
        ContentKind::Tiff,
    ];

    /// The accepted kind a stored document's content type names.
    pub fn from_mime(mime: &str) -> Option<ContentKind> {
        Self::ACCEPTED.into_iter().find(|k| k.mime() == mime)
    }

    pub fn mime(self) -> &'static str {
        match self {
            ContentKind::Pdf => "application/pdf",
            ContentKind::Jpeg => "image/jpeg",
            ContentKind::Png => "image/png",
            ContentKind::Webp => "image/webp",
            ContentKind::Heic => "image/heic",
            ContentKind::Heif => "image/heif",
            ContentKind::Tiff => "image/tiff",
            ContentKind::Html => "text/html",
            ContentKind::Xml => "application/xml",
            ContentKind::Svg => "image/svg+xml",
            ContentKind::Zip => "application/zip",
            ContentKind::Gif => "image/gif",
            ContentKind::Gzip => "application/gzip",
            ContentKind::Rar => "application/vnd.rar",
            ContentKind::SevenZip => "application/x-7z-compressed",
            ContentKind::OfficeLegacy => "application/x-ole-storage",
            ContentKind::Executable => "application/octet-stream",
            ContentKind::Unknown => "application/octet-stream",
        }
    }

    pub fn accepted(self) -> bool {
        Self::ACCEPTED.contains(&self)
    }

    /// Images and PDFs a browser may show inline; anything else is served as an attachment.
    pub fn safe_inline(self) -> bool {
        matches!(
            self,
            ContentKind::Pdf | ContentKind::Jpeg | ContentKind::Png | ContentKind::Webp
        )
    }

    /// Kinds that share a family: a HEIC declared as HEIF is not a contradiction.
    fn family(self) -> &'static str {
        match self {
            ContentKind::Heic | ContentKind::Heif => "heif",
            other => other.mime(),
        }
    }
}

/// Detects the content from its first bytes ([`SNIFF_LEN`] are enough).
pub fn sniff(bytes: &[u8]) -> ContentKind {
    let b = bytes;
    if b.starts_with(b"%PDF-") {
        return ContentKind::Pdf;
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return ContentKind::Jpeg;
    }
    if b.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return ContentKind::Png;
    }
    if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return ContentKind::Webp;
    }
    if b.len() >= 12 && &b[4..8] == b"ftyp" {
        // ISO base media file: the major brand tells HEIC/HEIF from MP4 and friends.
        match &b[8..12] {
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" => return ContentKind::Heic,
            b"mif1" | b"msf1" | b"heif" => return ContentKind::Heif,
            _ => return ContentKind::Unknown,
        }
    }
    if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        return ContentKind::Tiff;
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return ContentKind::Gif;
    }
    if b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") {
        return ContentKind::Zip;
    }
    if b.starts_with(&[0x1F, 0x8B]) {
        return ContentKind::Gzip;
    }
    if b.starts_with(b"Rar!\x1A\x07") {
        return ContentKind::Rar;
    }
    if b.starts_with(&[b'7', b'z', 0xBC, 0xAF, 0x27, 0x1C]) {
        return ContentKind::SevenZip;
    }
    if b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return ContentKind::OfficeLegacy;
    }
    if b.starts_with(b"MZ")
        || b.starts_with(b"\x7FELF")
        || b.starts_with(&[0xCF, 0xFA, 0xED, 0xFE])
        || b.starts_with(b"#!")
    {
        return ContentKind::Executable;
    }
    sniff_markup(b)
}

/// Markup is matched case-insensitively after a BOM and whitespace, as browsers do.
fn sniff_markup(bytes: &[u8]) -> ContentKind {
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    let start = head
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(head.len());
    let text: Vec<u8> = head[start..].iter().map(u8::to_ascii_lowercase).collect();
    const HTML: &[&[u8]] = &[
        b"<!doctype html",
        b"<html",
        b"<head",
        b"<body",
        b"<script",
        b"<iframe",
        b"<div",
        b"<a ",
        b"<p>",
        b"<p ",
        b"<table",
        b"<style",
        b"<title",
        b"<img",
        b"<meta",
        b"<!--",
    ];
    if HTML.iter().any(|tag| text.starts_with(tag)) {
        return ContentKind::Html;
    }
    if text.starts_with(b"<svg") || (text.starts_with(b"<?xml") && contains(&text, b"<svg")) {
        return ContentKind::Svg;
    }
    if text.starts_with(b"<?xml") {
        return ContentKind::Xml;
    }
    ContentKind::Unknown
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The declared content type a client sent, or the extension of its file name.
pub fn declared_kind(content_type: Option<&str>, filename: Option<&str>) -> Option<ContentKind> {
    let from_mime = content_type.and_then(|ct| {
        let essence = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        Some(match essence.as_str() {
            "application/pdf" => ContentKind::Pdf,
            "image/jpeg" | "image/jpg" | "image/pjpeg" => ContentKind::Jpeg,
            "image/png" => ContentKind::Png,
            "image/webp" => ContentKind::Webp,
            "image/heic" | "image/heic-sequence" => ContentKind::Heic,
            "image/heif" | "image/heif-sequence" => ContentKind::Heif,
            "image/tiff" => ContentKind::Tiff,
            "text/html" | "application/xhtml+xml" => ContentKind::Html,
            "image/svg+xml" => ContentKind::Svg,
            "application/zip" => ContentKind::Zip,
            "image/gif" => ContentKind::Gif,
            // Generic types declare nothing.
            _ => return None,
        })
    });
    from_mime.or_else(|| {
        let ext = filename?.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "pdf" => ContentKind::Pdf,
            "jpg" | "jpeg" | "jpe" => ContentKind::Jpeg,
            "png" => ContentKind::Png,
            "webp" => ContentKind::Webp,
            "heic" => ContentKind::Heic,
            "heif" => ContentKind::Heif,
            "tif" | "tiff" => ContentKind::Tiff,
            "html" | "htm" => ContentKind::Html,
            "svg" => ContentKind::Svg,
            "zip" => ContentKind::Zip,
            "gif" => ContentKind::Gif,
            _ => return None,
        })
    })
}

#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, utoipa::ToSchema,
)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ContentRejection {
    #[error("{detected} files are not accepted; send a PDF, JPEG, PNG, WebP, HEIC/HEIF or TIFF")]
    NotAccepted { detected: String },
    #[error("the file says it is {declared} but its content is {detected}")]
    Contradiction { declared: String, detected: String },
}

/// Decides on an upload from its first bytes and what the client declared (415 when refused).
/// Both the part's content type and the file name's extension are compared with the bytes.
pub fn check_upload(
    head: &[u8],
    content_type: Option<&str>,
    filename: Option<&str>,
) -> Result<ContentKind, ContentRejection> {
    let detected = sniff(head);
    for declared in [
        declared_kind(content_type, None),
        declared_kind(None, filename),
    ]
    .into_iter()
    .flatten()
    {
        if declared.family() != detected.family() {
            return Err(ContentRejection::Contradiction {
                declared: declared.mime().into(),
                detected: detected.mime().into(),
            });
        }
    }
    if !detected.accepted() {
        return Err(ContentRejection::NotAccepted {
            detected: detected.mime().into(),
        });
    }
    Ok(detected)
}

/// The longest file name kept, in characters.
pub const MAX_FILENAME_CHARS: usize = 200;

/// A client's file name made safe to store, list and show: control characters and Unicode
/// direction overrides (which can make `invoice<U+202E>fdp.exe` read as `invoiceexe.pdf`) are dropped,
/// whitespace runs become one space, path separators become `_`, and a name over
/// [`MAX_FILENAME_CHARS`] is cut before its extension. `None` when nothing is left.
pub fn normalise_filename(raw: &str) -> Option<String> {
    let is_bidi = |c: char| matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let mut name = String::new();
    for c in raw.chars() {
        let c = match c {
            '/' | '\\' => '_',
            c if c.is_whitespace() => ' ',
            c if c.is_control() || is_bidi(c) || c == '\u{FEFF}' => continue,
            c => c,
        };
        if c == ' ' && (name.is_empty() || name.ends_with(' ')) {
            continue;
        }
        name.push(c);
    }
    // Dots and the spaces between them together: `. x` must not keep its space once the dot goes.
    let name = name.trim_end().trim_start_matches(['.', ' ']).to_string();
    if name.is_empty() {
        return None;
    }
    if name.chars().count() <= MAX_FILENAME_CHARS {
        return Some(name);
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 10 => (stem, Some(ext)),
        _ => (name.as_str(), None),
    };
    let keep = MAX_FILENAME_CHARS - ext.map_or(0, |e| e.chars().count() + 1);
    let stem: String = stem.chars().take(keep).collect();
    // The cut may fall just after a space.
    let stem = stem.trim_end();
    Some(match ext {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_ships_the_usual_types_with_reasons() {
        let c = DocumentCatalogue::default();
        for t in [
            "identity_document",
            "passport",
            "proof_of_address",
            "certificate_of_incorporation",
            "articles_of_association",
            "ubo_register_extract",
            "power_of_attorney",
            "bank_statement",
        ] {
            let dt = c.get(t).unwrap_or_else(|| panic!("{t}"));
            assert!(!dt.invalid_reasons.is_empty(), "{t}");
        }
    }

    #[test]
    fn invalid_needs_a_reason_from_the_list() {
        let c = DocumentCatalogue::default();
        assert!(
            matches!(c.check_status("passport", DocumentStatus::Invalid, None), Err(DocumentError::ReasonRequired(r)) if r.contains(&"expired".to_string()))
        );
        assert!(matches!(
            c.check_status("passport", DocumentStatus::Invalid, Some("ugly")),
            Err(DocumentError::UnknownReason { .. })
        ));
        assert_eq!(
            c.check_status("passport", DocumentStatus::Invalid, Some("expired")),
            Ok(())
        );
        assert_eq!(
            c.check_status("passport", DocumentStatus::Valid, None),
            Ok(())
        );
        assert_eq!(
            c.check_status("passport", DocumentStatus::Valid, Some("expired")),
            Err(DocumentError::ReasonNotExpected)
        );
        assert!(matches!(
            c.check_status("tarot_card", DocumentStatus::Valid, None),
            Err(DocumentError::UnknownType(_))
        ));
    }

    #[test]
    fn workspace_extends_the_catalogue() {
        let mut c = DocumentCatalogue::default();
        let kbis = DocumentType {
            name: "kbis".into(),
            label: "Extrait Kbis".into(),
            subjects: vec!["business".into()],
            invalid_reasons: vec!["too_old".into()],
        };
        c.extend(vec![kbis.clone()]).unwrap();
        assert_eq!(c.get("kbis"), Some(&kbis));
        let bad = DocumentType {
            invalid_reasons: vec![],
            ..kbis
        };
        assert!(c.extend(vec![bad]).is_err());
    }

    #[test]
    fn sniffs_accepted_formats() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), ContentKind::Pdf);
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), ContentKind::Jpeg);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), ContentKind::Png);
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), ContentKind::Webp);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), ContentKind::Heic);
        assert_eq!(sniff(b"\0\0\0\x18ftypmif1\0\0\0\0"), ContentKind::Heif);
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), ContentKind::Tiff);
        assert_eq!(sniff(b"MM\0*\0\0\0\x08"), ContentKind::Tiff);
        for kind in [
            ContentKind::Pdf,
            ContentKind::Jpeg,
            ContentKind::Heic,
            ContentKind::Tiff,
        ] {
            assert!(kind.accepted());
        }
    }

    #[test]
    fn recognises_and_refuses_the_rest() {
        assert_eq!(
            sniff(b"\xEF\xBB\xBF  \n<!DOCTYPE HTML><html>"),
            ContentKind::Html
        );
        assert_eq!(
            sniff(b"<html><script>alert(1)</script></html>"),
            ContentKind::Html
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><svg xmlns=..."),
            ContentKind::Svg
        );
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><root/>"), ContentKind::Xml);
        assert_eq!(sniff(b"PK\x03\x04\x14\0"), ContentKind::Zip);
        assert_eq!(sniff(b"GIF89a"), ContentKind::Gif);
        assert_eq!(sniff(b"MZ\x90\0"), ContentKind::Executable);
        assert_eq!(sniff(b"\0\0\0\x18ftypisom"), ContentKind::Unknown);
        assert_eq!(sniff(b"hello"), ContentKind::Unknown);
        assert_eq!(sniff(b""), ContentKind::Unknown);
        assert!(!ContentKind::Html.accepted() && !ContentKind::Svg.accepted());
    }

    #[test]
    fn upload_checks_contradictions_with_declared_type() {
        let pdf = b"%PDF-1.4\n%\xE2\xE3";
        assert_eq!(
            check_upload(pdf, Some("application/pdf"), Some("kbis.pdf")),
            Ok(ContentKind::Pdf)
        );
        assert_eq!(
            check_upload(pdf, Some("application/octet-stream"), None),
            Ok(ContentKind::Pdf)
        );
        let html = b"<html><script>alert(1)</script></html>";
        assert_eq!(
            check_upload(html, Some("application/pdf"), Some("kbis.pdf")),
            Err(ContentRejection::Contradiction {
                declared: "application/pdf".into(),
                detected: "text/html".into()
            })
        );
        assert!(matches!(
            check_upload(html, None, None),
            Err(ContentRejection::NotAccepted { .. })
        ));
        // A JPEG named .pdf is a contradiction even with a generic content type.
        assert!(matches!(
            check_upload(
                &[0xFF, 0xD8, 0xFF, 0xE1],
                Some("application/octet-stream"),
                Some("scan.pdf")
            ),
            Err(ContentRejection::Contradiction { .. })
        ));
        assert_eq!(
            check_upload(b"\0\0\0\x18ftypheic", Some("image/heif"), Some("a.HEIC")),
            Ok(ContentKind::Heic)
        );
        assert_eq!(
            check_upload(&[0xFF, 0xD8, 0xFF], Some("image/jpg; q=1"), None),
            Ok(ContentKind::Jpeg)
        );
    }

    #[test]
    fn file_names_lose_controls_and_direction_overrides_and_are_capped() {
        assert_eq!(normalise_filename("kbis.pdf").as_deref(), Some("kbis.pdf"));
        // U+202E would show `invoice\u{202E}fdp.exe` as `invoiceexe.pdf`.
        assert_eq!(
            normalise_filename("invoice\u{202E}fdp.exe").as_deref(),
            Some("invoicefdp.exe")
        );
        assert_eq!(
            normalise_filename("a\u{0}b\r\n\tc  d\u{2066}.pdf").as_deref(),
            Some("ab c d.pdf")
        );
        assert_eq!(
            normalise_filename("../../etc/passwd").as_deref(),
            Some("_.._etc_passwd")
        );
        assert_eq!(normalise_filename("\u{200F}\u{7}  "), None);
        let long = format!("{}.pdf", "x".repeat(500));
        let cut = normalise_filename(&long).unwrap();
        assert_eq!(cut.chars().count(), MAX_FILENAME_CHARS);
        assert!(cut.ends_with(".pdf"), "{cut}");
        let no_ext = "é".repeat(300);
        assert_eq!(
            normalise_filename(&no_ext).unwrap().chars().count(),
            MAX_FILENAME_CHARS
        );
    }

    #[test]
    fn file_names_never_start_or_end_with_a_space() {
        // Found by the `filename` fuzz target: the leading dot went, the space after it stayed.
        assert_eq!(
            normalise_filename(" . report .pdf ").as_deref(),
            Some("report .pdf")
        );
        assert_eq!(normalise_filename(". . x").as_deref(), Some("x"));
        assert_eq!(normalise_filename(". . "), None);
        // A name cut to the limit just after a space.
        let cut = normalise_filename(&format!("{} {}", "a".repeat(199), "b".repeat(50))).unwrap();
        assert_eq!(cut, "a".repeat(199));
        let cut =
            normalise_filename(&format!("{} {}.pdf", "a".repeat(195), "b".repeat(50))).unwrap();
        assert_eq!(cut, format!("{}.pdf", "a".repeat(195)));
        // What is kept is kept as it is.
        assert_eq!(normalise_filename(&cut).as_deref(), Some(cut.as_str()));
    }
}
