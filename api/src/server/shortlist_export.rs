use corpus::{Declaration, FeeStandard, Listing, Shortlist};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// The columns of an export, in order; the header is in Chinese because
/// the file goes to the broker's client.
pub const COLUMNS: [&str; 8] = [
    "专利名称",
    "专利权人",
    "申请号",
    "实施方式",
    "费用标准",
    "结论",
    "经纪人备注",
    "链接",
];

/// One exported row: a shortlist item with its listing's current terms.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    pub cells: [String; 8],
}

impl ExportRow {
    /// `declaration` is the listing's current one (after any change of terms).
    pub fn new(
        listing: &Listing,
        declaration: &Declaration,
        verdict: &str,
        note: Option<&str>,
        link: String,
    ) -> Self {
        let modes: Vec<&str> = declaration.modes.iter().map(|m| m.as_str()).collect();
        Self {
            cells: [
                listing.patent.title.clone(),
                listing
                    .holder
                    .as_ref()
                    .map(|h| h.name.clone())
                    .unwrap_or_default(),
                listing
                    .patent
                    .application_number
                    .as_ref()
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                modes.join("、"),
                fee_text(&declaration.fee),
                verdict.to_string(),
                note.unwrap_or_default().to_string(),
                link,
            ],
        }
    }
}

/// The fee as a person reads it: the declared text when there was one,
/// otherwise the parts (`入门费+提成 50000–80000元 提成3%`), or 面议.
pub fn fee_text(fee: &FeeStandard) -> String {
    if let Some(raw) = fee.raw.as_deref().filter(|r| !r.trim().is_empty()) {
        return raw.trim().to_string();
    }
    let summary = fee.summary();
    if summary.is_empty() {
        "面议".into()
    } else {
        summary
    }
}

/// UTF-8 CSV with a byte-order mark, so that Excel on a Chinese Windows
/// opens it as UTF-8 instead of GBK.
pub fn to_csv(rows: &[ExportRow]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(COLUMNS)?;
    for row in rows {
        writer.write_record(&row.cells)?;
    }
    writer.flush()?;
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// One worksheet named after the client, header in bold, links clickable.
pub fn to_xlsx(shortlist: &Shortlist, rows: &[ExportRow]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    // Sheet names are at most 31 characters and exclude []:*?/\.
    let name: String = shortlist
        .client
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    if !name.trim().is_empty() {
        sheet.set_name(name.trim())?;
    }
    let bold = Format::new().set_bold();
    for (col, title) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
    }
    let link_col = COLUMNS.len() - 1;
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (col, cell) in row.cells.iter().enumerate() {
            if col == link_col && !cell.is_empty() {
                sheet.write_url(r, col as u16, cell.as_str())?;
            } else {
                sheet.write_string(r, col as u16, cell)?;
            }
        }
    }
    sheet.set_column_width(0, 40)?;
    sheet.set_column_width(1, 28)?;
    sheet.set_column_width(2, 18)?;
    sheet.set_column_width(6, 30)?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use corpus::{PaymentMethod, YuanRange};

    #[test]
    fn fee_reads_as_declared_or_from_its_parts() {
        assert_eq!(fee_text(&FeeStandard::default()), "面议");
        let fee = FeeStandard {
            method: Some(PaymentMethod::EntryFeePlusRoyalty),
            amount: Some(YuanRange {
                min: 50_000,
                max: 80_000,
            }),
            royalty_percent: Some(3.0),
            raw: None,
            unparsed: false,
        };
        assert_eq!(fee_text(&fee), "入门费+提成 50000–80000元 提成3%");
        let declared = FeeStandard {
            raw: Some(" 5万元 ".into()),
            ..fee
        };
        assert_eq!(fee_text(&declared), "5万元");
    }

    #[test]
    fn csv_quotes_cells_and_starts_with_a_bom() -> Result<(), csv::Error> {
        let row = ExportRow {
            cells: [
                "一种电池".into(),
                "浙江大学".into(),
                "2020100001234".into(),
                "转让、普通许可".into(),
                "面议".into(),
                "kept".into(),
                "客户关心, \"成本\"".into(),
                "http://x/listings/1".into(),
            ],
        };
        let bytes = to_csv(&[row])?;
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8_lossy(&bytes[3..]).to_string();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers()?.clone();
        assert_eq!(headers.iter().collect::<Vec<_>>(), COLUMNS);
        let records: Vec<_> = reader.records().collect::<Result<_, _>>()?;
        assert_eq!(records.len(), 1);
        assert_eq!(&records[0][6], "客户关心, \"成本\"");
        Ok(())
    }
}
