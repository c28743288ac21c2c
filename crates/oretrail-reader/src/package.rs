//! The file as an Office Open XML package: sniffing, zip access with limits.

use crate::error::{ReadError, RejectReason};
use crate::limits::Limits;
use std::collections::HashMap;
use std::io::{Cursor, Read};
use zip::ZipArchive;

/// An opened .xlsx package whose parts can be inflated within limits.
pub struct Package<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    /// Lower-cased part name → index in the archive (part names are case-insensitive).
    names: HashMap<String, usize>,
    limits: Limits,
    inflated: u64,
}

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

impl<'a> Package<'a> {
    /// Opens the bytes as a zip package, or says precisely why they are not one.
    pub fn open(bytes: &'a [u8], limits: Limits) -> Result<Package<'a>, ReadError> {
        sniff(bytes, &limits)?;
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            ReadError::new(
                RejectReason::CorruptPackage,
                format!("the zip package is truncated or corrupt and cannot be opened ({e})"),
            )
        })?;
        if archive.len() > limits.max_zip_entries {
            return Err(ReadError::new(
                RejectReason::LimitExceeded,
                format!(
                    "the package lists {} entries (limit {})",
                    archive.len(),
                    limits.max_zip_entries
                ),
            ));
        }
        let mut archive = archive;
        let mut by_index = HashMap::with_capacity(archive.len());
        for i in 0..archive.len() {
            if let Ok(f) = archive.by_index_raw(i)
                && let Ok(name) = f.name()
            {
                by_index.insert(name.trim_start_matches('/').to_ascii_lowercase(), i);
            }
        }
        Ok(Package {
            archive,
            names: by_index,
            limits,
            inflated: 0,
        })
    }

    /// Whether the package has a part of that name.
    pub fn has_part(&self, name: &str) -> bool {
        self.names
            .contains_key(&name.trim_start_matches('/').to_ascii_lowercase())
    }

    /// Inflates one part, enforcing the size, ratio and total limits.
    pub fn read_part(&mut self, name: &str) -> Result<Vec<u8>, ReadError> {
        let key = name.trim_start_matches('/').to_ascii_lowercase();
        let index = *self.names.get(&key).ok_or_else(|| {
            ReadError::new(
                RejectReason::CorruptPackage,
                format!("the package has no part '{name}'"),
            )
        })?;
        let mut file = self.archive.by_index(index).map_err(|e| {
            ReadError::new(
                RejectReason::CorruptPackage,
                format!("part '{name}' cannot be read ({e})"),
            )
        })?;
        let declared = file.size();
        let compressed = file.compressed_size().max(1);
        let budget = self
            .limits
            .max_part_bytes
            .min(self.limits.max_total_bytes.saturating_sub(self.inflated))
            .min(
                compressed
                    .saturating_mul(self.limits.max_compression_ratio)
                    .max(1 << 20),
            );
        if declared > budget {
            return Err(limit_error(name, declared, budget));
        }
        let mut out = Vec::with_capacity(declared.min(budget) as usize);
        let read = (&mut file)
            .take(budget + 1)
            .read_to_end(&mut out)
            .map_err(|e| {
                ReadError::new(
                    RejectReason::CorruptPackage,
                    format!("part '{name}' is corrupt or truncated ({e})"),
                )
            })?;
        if read as u64 > budget {
            return Err(limit_error(name, read as u64, budget));
        }
        self.inflated += read as u64;
        Ok(out)
    }
}

fn limit_error(name: &str, size: u64, budget: u64) -> ReadError {
    ReadError::new(
        RejectReason::LimitExceeded,
        format!(
            "part '{name}' inflates to more than {budget} bytes (found {size}): refusing a possible zip bomb"
        ),
    )
}

/// Classifies bytes that are not a zip package, before any parsing.
fn sniff(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::new(
            RejectReason::EmptyFile,
            "the file is empty (0 bytes)",
        ));
    }
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ReadError::new(
            RejectReason::LimitExceeded,
            format!(
                "the file is {} bytes, larger than the limit of {} bytes",
                bytes.len(),
                limits.max_file_bytes
            ),
        ));
    }
    if bytes.starts_with(&OLE_MAGIC) {
        if contains_utf16(bytes, "EncryptionInfo") {
            return Err(ReadError::new(
                RejectReason::Encrypted,
                "the workbook is password-protected (encrypted); ask the supplier for an unprotected copy",
            ));
        }
        return Err(ReadError::new(
            RejectReason::LegacyXls,
            "legacy binary Excel 97-2003 workbook (.xls, OLE2 compound file): not supported; ask the supplier to save it as .xlsx",
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Ok(());
    }
    if bytes.starts_with(b"PK") {
        return Err(ReadError::new(
            RejectReason::CorruptPackage,
            "the zip package is truncated or corrupt and cannot be opened",
        ));
    }
    let head = &bytes[..bytes.len().min(512)];
    let what = if head.iter().all(|&b| b == 0) {
        "only zero bytes"
    } else if head.starts_with(b"%PDF") {
        "a PDF document"
    } else if head.starts_with(b"<") || head.windows(5).any(|w| w.eq_ignore_ascii_case(b"<html")) {
        "HTML or XML text"
    } else if std::str::from_utf8(head).is_ok() || head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        "plain text (for example CSV)"
    } else {
        "data of an unknown kind"
    };
    Err(ReadError::new(
        RejectReason::NotOoxml,
        format!("the file is not an Excel .xlsx workbook (OOXML zip package) but {what}"),
    ))
}

fn contains_utf16(bytes: &[u8], needle: &str) -> bool {
    let pattern: Vec<u8> = needle
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    memchr::memmem::find(bytes, &pattern).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(bytes: &[u8]) -> RejectReason {
        match Package::open(bytes, Limits::default()) {
            Ok(_) => panic!("expected a rejection"),
            Err(e) => e.reason,
        }
    }

    #[test]
    fn empty_csv_xls_and_truncated_zip_are_told_apart() {
        assert_eq!(reason(b""), RejectReason::EmptyFile);
        assert_eq!(
            reason(b"Company,Smelter\nAcme,Umicore\n"),
            RejectReason::NotOoxml
        );
        let mut ole = OLE_MAGIC.to_vec();
        ole.extend_from_slice(&[0; 600]);
        assert_eq!(reason(&ole), RejectReason::LegacyXls);
        assert_eq!(
            reason(b"PK\x03\x04\x14\x00\x00\x00garbage"),
            RejectReason::CorruptPackage
        );
    }

    #[test]
    fn oversized_file_is_refused_before_parsing() {
        let limits = Limits {
            max_file_bytes: 10,
            ..Limits::default()
        };
        let err = match Package::open(b"PK\x03\x04 more than ten bytes", limits) {
            Ok(_) => panic!("expected a rejection"),
            Err(e) => e,
        };
        assert_eq!(err.reason, RejectReason::LimitExceeded);
    }
}
