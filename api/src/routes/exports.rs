//! `GET /api/v1/exports/loan-requests.csv` (bank reviewer: their bank; admin: all):
//! the visible requests with the list's filters, as a streamed CSV for spreadsheets.
//! Memory stays constant whatever the row count: rows are read in keyset batches and
//! written out batch by batch. RFC 4180 quoting, UTF-8 with a BOM, money in euros with
//! two decimals, and formula injection neutralised.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::loan_request::LoanRequest;

use crate::auth::BackOffice;
use crate::extract::ApiQuery;
use crate::problem::Problem;
use crate::problem::openapi::{BackOfficeOnly, Pausable, problem_answers};
use crate::routes::loan_requests::list::{ExportParams, ListParams, parse_filter, parse_order};
use crate::state::AppState;

/// Rows read per database round trip.
const BATCH: u16 = 500;

const HEADER: [&str; 21] = [
    "reference",
    "id",
    "status",
    "bank_id",
    "siren",
    "siret",
    "legal_name",
    "legal_form",
    "creation_date",
    "headcount",
    "revenue_eur",
    "requested_amount_eur",
    "amortization_years",
    "size_category",
    "guarantee_share_percent",
    "guaranteed_eur",
    "total_fee_eur",
    "contact_email",
    "decision_reason",
    "created_at",
    "updated_at",
];

/// Characters a spreadsheet may split a line on: the comma of this file, and the
/// semicolon, tab and pipe that French regional settings and import dialogs use.
const SEPARATORS: [char; 4] = [',', ';', '\t', '|'];

/// Free text that a spreadsheet would run as a formula gets an apostrophe before the
/// formula: at the start of the text, and at the start of every part a separator
/// begins (`ACME;=1+1;` split on `;` would otherwise evaluate `=1+1`), spaces skipped.
fn neutralise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    let mut part_start = true;
    for c in text.chars() {
        if part_start && matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r') {
            out.push('\'');
        }
        out.push(c);
        if SEPARATORS.contains(&c) {
            part_start = true;
        } else if c != ' ' {
            part_start = false;
        }
    }
    out
}

/// One CSV field (RFC 4180): quoted, with quotes doubled, when it holds a quote, a line
/// break, surrounding spaces or any of the [`SEPARATORS`] (a spreadsheet splitting on
/// `;` keeps a quoted field whole).
fn push_field(line: &mut String, field: &str) {
    let needs_quotes = field
        .chars()
        .any(|c| c == '"' || c == '\r' || c == '\n' || SEPARATORS.contains(&c))
        || field.starts_with(' ')
        || field.ends_with(' ');
    if needs_quotes {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

/// One CSV record, CRLF-terminated.
fn push_record<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, field.as_ref());
    }
    out.push_str("\r\n");
}

fn row(r: &LoanRequest) -> [String; 21] {
    let share = r.terms.guarantee_share.get();
    [
        r.reference.to_string(),
        r.id.to_string(),
        r.status.as_str().to_owned(),
        r.bank.as_str().to_owned(),
        r.company.siren.as_str().to_owned(),
        r.company
            .siret
            .as_ref()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        neutralise(r.company.legal_name.as_str()),
        r.company.legal_form.as_str().to_owned(),
        r.company.creation_date.to_string(),
        r.company.headcount.get().to_string(),
        r.company.revenue.to_string(),
        r.amount.to_string(),
        r.amortization.get().to_string(),
        r.terms.size_category.as_str().to_owned(),
        format!("{}.{:02}", share / 100, share % 100),
        r.terms.guaranteed.to_string(),
        r.terms.total_fee.to_string(),
        neutralise(r.contact_email.as_str()),
        r.decision_reason
            .as_deref()
            .map(neutralise)
            .unwrap_or_default(),
        r.created_at.to_rfc3339(),
        r.updated_at.to_rfc3339(),
    ]
}

fn encode(rows: &[LoanRequest], with_header: bool) -> Bytes {
    let mut out = String::with_capacity(rows.len() * 256 + 512);
    if with_header {
        out.push('\u{feff}');
        push_record(&mut out, &HEADER);
    }
    for r in rows {
        push_record(&mut out, &row(r));
    }
    Bytes::from(out)
}

problem_answers! {
    /// What an export may be refused for.
    ExportProblems {
        InvalidParameter => "Invalid parameter",
    }
}

/// Export visible requests as CSV (reviewer or admin).
#[utoipa::path(
    get,
    path = "/api/v1/exports/loan-requests.csv",
    tag = "back-office",
    params(ExportParams),
    responses(
        (status = 200, description = "CSV, UTF-8 with BOM, header row first", content_type = "text/csv", body = String),
        ExportProblems,
        BackOfficeOnly,
        Pausable,
    ),
    security(("bearer" = []))
)]
pub async fn export_loan_requests(
    State(state): State<AppState>,
    back_office: BackOffice,
    ApiQuery(params): ApiQuery<ExportParams>,
) -> Result<Response, Problem> {
    let params = ListParams::from(params);
    let filter = parse_filter(&params, &back_office)?;
    let order = parse_order(params.sort.as_deref())?;
    let export = state
        .services
        .loan_requests
        .export(&back_office, filter, order)
        .await?;
    // (state, the export, whether the next chunk is the first, whether it failed)
    let start = (state, export, true, false);
    let stream = futures::stream::unfold(start, |(state, mut export, first, failed)| async move {
        if failed {
            return None;
        }
        let chunk = match state
            .services
            .loan_requests
            .export_batch(&mut export, BATCH)
            .await
        {
            Ok(Some(rows)) => Ok(encode(&rows, first)),
            Ok(None) => return None,
            Err(err) => {
                // Headers are gone already: abort the body so the client sees a failed
                // download, not a silently truncated file.
                tracing::error!(error = %err, "CSV export failed mid-stream");
                Err(std::io::Error::other("export failed"))
            }
        };
        let failed = chunk.is_err();
        Some((chunk, (state, export, false, failed)))
    });
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"loan-requests.csv\""),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::{neutralise, push_record};

    #[test]
    fn formulas_are_neutralised_and_plain_text_kept() {
        for dangerous in ["=1+1", "+33", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(dangerous).starts_with('\''), "{dangerous}");
        }
        assert_eq!(neutralise("Boulangerie"), "Boulangerie");
        assert_eq!(neutralise("Dupont-Durand"), "Dupont-Durand");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn every_separated_part_is_neutralised() {
        assert_eq!(neutralise("ACME;=1+1;"), "ACME;'=1+1;");
        assert_eq!(neutralise("ACME; =1+1"), "ACME; '=1+1");
        assert_eq!(neutralise("a|@SUM(A1)"), "a|'@SUM(A1)");
        assert_eq!(neutralise("a,-2"), "a,'-2");
        assert_eq!(neutralise("a\t+1"), "a\t'+1");
    }

    #[test]
    fn fields_with_any_separator_are_quoted() {
        let mut line = String::new();
        push_record(
            &mut line,
            &[
                "PGE-1",
                "ACME;'=1+1;",
                "a|b",
                "say \"hi\"",
                "plain",
                " padded",
                "a,b",
            ],
        );
        assert_eq!(
            line,
            "PGE-1,\"ACME;'=1+1;\",\"a|b\",\"say \"\"hi\"\"\",plain,\" padded\",\"a,b\"\r\n"
        );
    }
}
