//! Files in a chat: what a message carries when it is a file, which kinds
//! are taken (told by their first bytes, never by their name or the type a
//! browser claims), and the names they are shown and saved under.

use serde::{Deserialize, Serialize};

/// The most a site may allow per file, in MB.
pub const MAX_FILE_MB: u32 = 25;
/// A site's limit per file unless it sets one, in MB.
pub const DEFAULT_FILE_MB: u32 = 10;
/// The longest name kept, in characters.
pub const MAX_NAME_CHARS: usize = 120;

/// A file a message carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileRef {
    /// Its id: unguessable, and what `/api/files/{id}` serves.
    pub id: String,
    /// Its name, as cleaned ([`clean_name`]).
    pub name: String,
    /// Its type, as its content says ([`Kind::mime`]).
    pub mime: String,
    /// Its size in bytes.
    pub size: u64,
}

impl crate::json::FromJson for FileRef {
    fn from_json(json: &crate::json::Json) -> Result<Self, crate::json::JsonError> {
        Ok(Self {
            id: json.field("id")?,
            name: json.field("name")?,
            mime: json.field("mime")?,
            size: json.field("size")?,
        })
    }
}

impl FileRef {
    /// Whether it is shown as a picture.
    pub fn is_image(&self) -> bool {
        self.mime.starts_with("image/")
    }
}

/// The groups of kinds a site allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// PNG, JPEG, GIF, WebP.
    Images,
    /// PDF.
    Pdf,
    /// Plain text (UTF-8).
    Text,
    /// Word, Excel and PowerPoint (the 2007 formats and the older ones),
    /// OpenDocument text, spreadsheets and presentations.
    Office,
}

impl Group {
    /// Every group, in order.
    pub const ALL: [Group; 4] = [Group::Images, Group::Pdf, Group::Text, Group::Office];

    /// Its name in settings.
    pub fn key(self) -> &'static str {
        match self {
            Group::Images => "images",
            Group::Pdf => "pdf",
            Group::Text => "text",
            Group::Office => "office",
        }
    }

    /// What a file picker offers for it (types and extensions).
    pub fn accept(self) -> &'static str {
        match self {
            Group::Images => "image/png,image/jpeg,image/gif,image/webp",
            Group::Pdf => "application/pdf,.pdf",
            Group::Text => "text/plain,.txt,.csv,.log,.md",
            Group::Office => ".doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp",
        }
    }

    /// The group called `key`.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.key() == key.trim())
    }
}

impl crate::json::FromJson for Group {
    fn from_json(json: &crate::json::Json) -> Result<Self, crate::json::JsonError> {
        let raw = json.str()?;
        Group::parse(raw).ok_or_else(|| crate::json::JsonError::invalid(raw))
    }
}

/// What a site takes: the widget hides its attach button when nothing,
/// and tells a visitor at once that a file is too large.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileSettings {
    /// The largest file, in MB (0: no files).
    pub max_mb: u32,
    /// The groups of kinds taken.
    pub groups: Vec<Group>,
}

impl Default for FileSettings {
    fn default() -> Self {
        Self { max_mb: DEFAULT_FILE_MB, groups: Group::ALL.to_vec() }
    }
}

impl FileSettings {
    /// The largest file, in bytes.
    pub fn max_bytes(&self) -> usize {
        usize::try_from(self.max_mb).unwrap_or(0).saturating_mul(1024 * 1024)
    }

    /// Whether the site takes files at all.
    pub fn on(&self) -> bool {
        self.max_mb > 0 && !self.groups.is_empty()
    }

    /// The file picker's `accept`: the extensions and types of the kinds
    /// taken (a hint for the picker; the server checks the bytes).
    pub fn accept(&self) -> String {
        let mut accept = String::new();
        for g in &self.groups {
            if !accept.is_empty() {
                accept.push(',');
            }
            accept.push_str(g.accept());
        }
        accept
    }
}

impl crate::json::FromJson for FileSettings {
    fn from_json(json: &crate::json::Json) -> Result<Self, crate::json::JsonError> {
        Ok(Self { max_mb: json.field("max_mb")?, groups: json.field("groups")? })
    }
}

/// A kind of file Switchboard takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// GIF.
    Gif,
    /// WebP.
    Webp,
    /// PDF.
    Pdf,
    /// UTF-8 text without control characters other than tab and line ends.
    Text,
    /// A ZIP-based office document (Word, Excel, PowerPoint, OpenDocument).
    OfficeZip(&'static str),
    /// An older Word/Excel/PowerPoint file (OLE compound file).
    OfficeOle,
}

impl Kind {
    /// The extensions a file of this kind may be saved under, the usual
    /// one first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Kind::Png => &["png"],
            Kind::Jpeg => &["jpg", "jpeg"],
            Kind::Gif => &["gif"],
            Kind::Webp => &["webp"],
            Kind::Pdf => &["pdf"],
            Kind::Text => &["txt", "csv", "log", "md"],
            Kind::OfficeZip(DOCX) => &["docx"],
            Kind::OfficeZip(XLSX) => &["xlsx"],
            Kind::OfficeZip(PPTX) => &["pptx"],
            Kind::OfficeZip(ODT) => &["odt"],
            Kind::OfficeZip(ODS) => &["ods"],
            Kind::OfficeZip(_) => &["odp"],
            Kind::OfficeOle => &["doc", "xls", "ppt"],
        }
    }

    /// Its MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
            Kind::Gif => "image/gif",
            Kind::Webp => "image/webp",
            Kind::Pdf => "application/pdf",
            Kind::Text => "text/plain; charset=utf-8",
            Kind::OfficeZip(mime) => mime,
            Kind::OfficeOle => "application/octet-stream",
        }
    }

    /// Its group.
    pub fn group(self) -> Group {
        match self {
            Kind::Png | Kind::Jpeg | Kind::Gif | Kind::Webp => Group::Images,
            Kind::Pdf => Group::Pdf,
            Kind::Text => Group::Text,
            Kind::OfficeZip(_) | Kind::OfficeOle => Group::Office,
        }
    }
}

const ODT: &str = "application/vnd.oasis.opendocument.text";
const ODS: &str = "application/vnd.oasis.opendocument.spreadsheet";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";

/// What `bytes` are, by their content; `None` for anything not taken
/// (an executable, an SVG or HTML page, a ZIP that is not an office
/// document, text that is not UTF-8 or holds control characters, …).
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some(Kind::Png);
    }
    if starts(b"\xff\xd8\xff") {
        return Some(Kind::Jpeg);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some(Kind::Gif);
    }
    if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Some(Kind::Webp);
    }
    if starts(b"%PDF-") {
        return Some(Kind::Pdf);
    }
    if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        // An OLE compound file is an older Office document only with one of
        // their streams (an installer, say, is one too, without them).
        return office_ole(bytes).then_some(Kind::OfficeOle);
    }
    if starts(b"PK\x03\x04") {
        return office_zip(bytes).map(Kind::OfficeZip);
    }
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)).ok()?;
    let plain = !text.is_empty() && text.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'));
    // Markup is text, but a browser that ignored the type (or opened it
    // from disk) would run it: text that opens with a tag is not taken.
    let markup = text.trim_start().starts_with('<');
    (plain && !markup).then_some(Kind::Text)
}

/// Whether an OLE compound file holds a Word, Excel or PowerPoint stream
/// (its directory names them in UTF-16).
fn office_ole(bytes: &[u8]) -> bool {
    let window = &bytes[..bytes.len().min(1024 * 1024)];
    ["WordDocument", "Workbook", "Book", "PowerPoint Document"].iter().any(|name| {
        let wide: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        window.windows(wide.len()).any(|w| w == wide.as_slice())
    })
}

/// The office type of a ZIP, from the names of its entries (a 2007 Office
/// file holds `word/`, `xl/` or `ppt/`; an OpenDocument file starts with
/// its `mimetype` entry).
fn office_zip(bytes: &[u8]) -> Option<&'static str> {
    let window = &bytes[..bytes.len().min(256 * 1024)];
    let has = |needle: &[u8]| window.windows(needle.len()).any(|w| w == needle);
    if bytes.get(30..38) == Some(b"mimetype") {
        let rest = bytes.get(38..).map_or(&[][..], |r| &r[..r.len().min(60)]);
        let odf = |suffix: &[u8]| rest.windows(suffix.len()).any(|w| w == suffix);
        if odf(b"opendocument.text") {
            return Some(ODT);
        }
        if odf(b"opendocument.spreadsheet") {
            return Some(ODS);
        }
        if odf(b"opendocument.presentation") {
            return Some("application/vnd.oasis.opendocument.presentation");
        }
        return None;
    }
    if !has(b"[Content_Types].xml") {
        return None;
    }
    if has(b"word/") {
        Some(DOCX)
    } else if has(b"xl/") {
        Some(XLSX)
    } else if has(b"ppt/") {
        Some(PPTX)
    } else {
        None
    }
}

/// Characters that change how text is shown without being seen: a
/// right-to-left override makes `photo\u{202e}gnp.hta` read as
/// `photoath.png`.
fn invisible(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
}

/// A name to show and save a file of `kind` under: the last part of a
/// path, without control or invisible characters, quotes or slashes, at
/// most [`MAX_NAME_CHARS`], and ending in an extension of its kind (one
/// is added when the name has another: `run.hta` is saved as
/// `run.hta.txt`); `file` and the extension when nothing is left.
pub fn clean_name(raw: &str, kind: Kind) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| {
            !c.is_control() && !invisible(*c) && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*')
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let allowed = kind.extensions();
    let ext = cleaned.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let (stem, ext) = match ext {
        Some(e) if allowed.contains(&e.as_str()) => (&cleaned[..cleaned.len() - e.len() - 1], e),
        _ => (cleaned, allowed[0].to_owned()),
    };
    let stem = if stem.trim().is_empty() { "file" } else { stem.trim_end_matches('.') };
    let keep = MAX_NAME_CHARS - ext.chars().count() - 1;
    format!("{}.{ext}", stem.chars().take(keep).collect::<String>())
}

/// A size for people: `512 B`, `12 KB`, `3.4 MB`.
pub fn human_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes < KB {
        format!("{bytes} B")
    } else if bytes < MB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        // Tenths, rounded, in integers (float formatting would cost the
        // widget's bundle some 15 KB).
        let tenths = (bytes.saturating_mul(10) + MB / 2) / MB;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_with(entries: &[&str]) -> Vec<u8> {
        let mut z = b"PK\x03\x04".to_vec();
        z.extend_from_slice(&[0; 26]);
        for e in entries {
            z.extend_from_slice(e.as_bytes());
            z.extend_from_slice(b"....");
        }
        z
    }

    #[test]
    fn kinds_are_told_by_their_first_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n rest"), Some(Kind::Png));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0 jfif"), Some(Kind::Jpeg));
        assert_eq!(sniff(b"GIF89a...."), Some(Kind::Gif));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(Kind::Webp));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Kind::Pdf));
        assert_eq!(sniff("Order 42: «shipped»\r\n\ttoday".as_bytes()), Some(Kind::Text));
        let mut doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec();
        doc.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(sniff(&doc), Some(Kind::OfficeOle));
        assert_eq!(
            sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an installer"),
            None,
            "an OLE file without Office streams"
        );
        assert_eq!(
            sniff(&zip_with(&["[Content_Types].xml", "word/document.xml"])),
            Some(Kind::OfficeZip(DOCX))
        );
        assert_eq!(
            sniff(&zip_with(&["[Content_Types].xml", "xl/workbook.xml"])),
            Some(Kind::OfficeZip(XLSX))
        );
        let mut odt = b"PK\x03\x04".to_vec();
        odt.extend_from_slice(&[0; 26]);
        odt.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.text");
        assert_eq!(sniff(&odt).map(Kind::mime), Some("application/vnd.oasis.opendocument.text"));
    }

    #[test]
    fn what_a_browser_could_run_or_nobody_can_open_is_refused() {
        assert_eq!(sniff(b"MZ\x90\0 program"), None, "an executable");
        assert_eq!(sniff(b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"), None);
        assert_eq!(sniff(b"  <!DOCTYPE html><p>hi"), None);
        assert_eq!(sniff(b"<?xml version='1.0'?><svg/>"), None);
        assert_eq!(sniff(b"<svg onload=1>"), None, "short markup");
        assert_eq!(sniff(b"\n <!-- --><img src=x onerror=alert(1)>"), None);
        assert_eq!(sniff("<é>".as_bytes()), None);
        assert_eq!(sniff(&zip_with(&["payload.exe"])), None, "a ZIP that is no office file");
        assert_eq!(sniff(b"text\0with a NUL"), None);
        assert_eq!(sniff(b"\xff\xfe not utf-8 \xc3"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn names_lose_paths_and_what_a_header_or_file_system_chokes_on() {
        assert_eq!(clean_name("C:\\Users\\lin\\invoice 42.pdf", Kind::Pdf), "invoice 42.pdf");
        assert_eq!(clean_name("../../etc/passwd", Kind::Text), "passwd.txt");
        assert_eq!(clean_name("a\"b\r\nc.txt", Kind::Text), "abc.txt");
        assert_eq!(clean_name("...", Kind::Png), "file.png");
        assert_eq!(clean_name(".bashrc", Kind::Text), "bashrc.txt");
        assert_eq!(clean_name("Photo.JPEG", Kind::Jpeg), "Photo.jpeg");
        let long = format!("{}.docx", "é".repeat(300));
        let cleaned = clean_name(&long, Kind::OfficeZip(DOCX));
        assert_eq!(cleaned.chars().count(), MAX_NAME_CHARS);
        assert!(cleaned.ends_with(".docx"));
    }

    #[test]
    fn a_name_ends_in_its_kinds_extension_and_hides_nothing() {
        assert_eq!(clean_name("run.hta", Kind::Text), "run.hta.txt");
        assert_eq!(clean_name("page.html", Kind::Text), "page.html.txt");
        assert_eq!(clean_name("invoice.pdf.exe", Kind::Pdf), "invoice.pdf.exe.pdf");
        assert_eq!(clean_name("photo\u{202e}gnp.hta", Kind::Png), "photognp.hta.png");
        assert_eq!(clean_name("data.csv", Kind::Text), "data.csv");
        assert_eq!(clean_name("report", Kind::OfficeZip(XLSX)), "report.xlsx");
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(12 * 1024 + 1), "13 KB");
        assert_eq!(human_size(3_565_158), "3.4 MB");
        assert_eq!(human_size(10 * 1024 * 1024), "10.0 MB");
        assert_eq!(human_size(1024 * 1024 * 3 / 2 - 1), "1.5 MB");
    }

    #[test]
    fn what_a_site_takes_reads_back_and_tells_the_picker() {
        let settings = FileSettings { max_mb: 5, groups: vec![Group::Images, Group::Pdf] };
        let text = serde_json::to_string(&settings).unwrap();
        assert_eq!(crate::json::from_str::<FileSettings>(&text), Ok(settings.clone()));
        assert_eq!(settings.max_bytes(), 5 * 1024 * 1024);
        assert_eq!(settings.accept(), "image/png,image/jpeg,image/gif,image/webp,application/pdf,.pdf");
        assert!(settings.on());
        assert!(!FileSettings { max_mb: 0, ..settings.clone() }.on());
        assert!(!FileSettings { groups: Vec::new(), ..settings }.on());
        assert!(crate::json::from_str::<FileSettings>(r#"{"max_mb":5,"groups":["exe"]}"#).is_err());
    }
}
