//! PDF through Typst as a library (feature `pdf`): the document model is handed to one Typst
//! template as JSON and its charts as SVG files, so no supplier text is ever parsed as markup.
//!
//! Fonts: Typst's own (Libertinus, New Computer Modern, DejaVu Sans Mono) plus a CJK font
//! found at run time — `$ORETRAIL_FONT_DIR`, then Debian's `fonts-noto-cjk` or Droid Sans
//! Fallback. Without one the PDF is still made, with a warning that CJK text shows as boxes.

use crate::doc::Doc;
use crate::error::{ReportError, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

const TEMPLATE: &str = include_str!("../typst/doc.typ");

/// Font files tried for CJK text, in order.
const CJK_FONTS: [&str; 5] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
];

/// A typeset PDF and what to know about it.
#[derive(Debug, Clone)]
pub struct Pdf {
    /// The PDF.
    pub bytes: Vec<u8>,
    /// Pages.
    pub pages: usize,
    /// Warnings (missing CJK font, Typst warnings).
    pub warnings: Vec<String>,
}

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    cjk: Option<PathBuf>,
}

fn font_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(dir) = std::env::var_os("ORETRAIL_FONT_DIR")
        && let Ok(entries) = std::fs::read_dir(Path::new(&dir))
    {
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    matches!(
                        e.to_ascii_lowercase().as_str(),
                        "ttf" | "otf" | "ttc" | "otc"
                    )
                })
            })
            .collect();
        files.sort();
        out.extend(files);
    }
    out.extend(CJK_FONTS.iter().map(PathBuf::from).filter(|p| p.is_file()));
    out
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        let mut cjk = None;
        for path in font_files() {
            let Ok(data) = std::fs::read(&path) else {
                continue;
            };
            let found: Vec<Font> = Font::iter(Bytes::new(data)).collect();
            if !found.is_empty() && cjk.is_none() {
                cjk = Some(path.clone());
            }
            fonts.extend(found);
        }
        Fonts {
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            cjk,
        }
    })
}

struct ReportWorld {
    library: LazyHash<Library>,
    main: Source,
    files: HashMap<String, Bytes>,
}

fn file_id(path: &str) -> Result<FileId> {
    let vpath = VirtualPath::new(path).map_err(|e| ReportError::Pdf(format!("{path}: {e:?}")))?;
    Ok(FileId::new(RootedPath::new(VirtualRoot::Project, vpath)))
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(PathBuf::from(
                id.get().vpath().get_with_slash(),
            )))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let path = id.get().vpath().get_with_slash();
        self.files
            .get(path.trim_start_matches('/'))
            .cloned()
            .ok_or_else(|| FileError::NotFound(PathBuf::from(path)))
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// Typesets a document; `ident` (e.g. the snapshot ID) makes the PDF's identifier stable, so the
/// same document gives the same bytes.
pub fn render(doc: &Doc, ident: &str) -> Result<Pdf> {
    let mut value = serde_json::to_value(doc)?;
    let mut files: HashMap<String, Bytes> = HashMap::new();
    let mut n = 0;
    if let Some(sections) = value.get_mut("sections").and_then(|s| s.as_array_mut()) {
        for s in sections {
            let Some(blocks) = s.get_mut("blocks").and_then(|b| b.as_array_mut()) else {
                continue;
            };
            for b in blocks {
                if b.get("kind").and_then(|k| k.as_str()) != Some("chart") {
                    continue;
                }
                let Some(obj) = b.as_object_mut() else {
                    continue;
                };
                let svg = obj
                    .remove("svg")
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                n += 1;
                let name = format!("chart-{n}.svg");
                files.insert(name.clone(), Bytes::new(svg.into_bytes()));
                obj.insert("file".into(), serde_json::Value::String(name));
            }
        }
    }
    files.insert("doc.json".into(), Bytes::new(serde_json::to_vec(&value)?));
    let world = ReportWorld {
        library: LazyHash::new(Library::builder().build()),
        main: Source::new(file_id("/main.typ")?, TEMPLATE.to_string()),
        files,
    };
    let warned = typst::compile::<typst_layout::PagedDocument>(&world);
    let mut warnings: Vec<String> = warned
        .warnings
        .iter()
        .map(|w| w.message.to_string())
        .collect();
    let document = warned.output.map_err(|errors| {
        ReportError::Pdf(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some(format!("Oretrail {}", env!("CARGO_PKG_VERSION")))),
        ..typst_pdf::PdfOptions::default()
    };
    let bytes = typst_pdf::pdf(&document, &options).map_err(|errors| {
        ReportError::Pdf(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    if fonts().cjk.is_none() {
        warnings.push(
            "no CJK font found (install fonts-noto-cjk or set ORETRAIL_FONT_DIR): Chinese, Japanese and Korean text shows as boxes".into(),
        );
    }
    Ok(Pdf {
        bytes,
        pages: document.pages().len(),
        warnings,
    })
}

/// The CJK font in use, if one was found.
pub fn cjk_font() -> Option<&'static Path> {
    fonts().cjk.as_deref()
}
