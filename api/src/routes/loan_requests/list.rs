//! `GET /api/v1/loan-requests`: the requests the caller may see (applicant: their own;
//! reviewer: their bank's; admin: all, optionally one bank's), newest first or in the
//! order asked for, filtered, with opaque keyset cursors to the next and previous pages
//! and the number of requests that match.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use domain::company::Siren;
use domain::loan_request::{Direction, ListFilter, ListOrder, NameQuery, PageQuery};
use domain::reference::Reference;
use domain::submission::BankCode;
use domain::workflow::Status;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::extract::ApiQuery;
use crate::problem::Problem;
use crate::problem::openapi::{AnyRole, problem_answers};
use crate::routes::cursor;
use crate::state::AppState;
use crate::views::LoanRequestView;

/// Declares the list's query parameters and, from the same fields, the export's: the
/// filters and the order, which the export takes without paging.
macro_rules! query_params {
    ($($(#[$attr:meta])* $field:ident,)+) => {
        /// Query parameters of the list.
        #[derive(Debug, Default, Deserialize, IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct ListParams {
            $($(#[$attr])* pub $field: Option<String>,)+
            /// Page size, 1–100 (default 20).
            #[param(value_type = Option<u8>, minimum = 1, maximum = 100)]
            pub limit: Option<String>,
            /// `next_cursor` or `prev_cursor` of a page of the same list.
            pub cursor: Option<String>,
        }

        /// Query parameters of the export: the list's filters and order, without paging.
        #[derive(Debug, Default, Deserialize, IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct ExportParams {
            $($(#[$attr])* pub $field: Option<String>,)+
        }

        impl From<ExportParams> for ListParams {
            fn from(params: ExportParams) -> Self {
                Self {
                    $($field: params.$field,)+
                    ..Self::default()
                }
            }
        }
    };
}

query_params! {
    /// One status only.
    #[param(value_type = Option<crate::views::LoanStatus>)]
    status,
    /// 9-digit SIREN (spaces tolerated).
    siren,
    /// Public reference, any case, dashes and spaces tolerated.
    reference,
    /// Inclusive lower bound: a date (`2026-03-25`) or an RFC 3339 instant.
    created_from,
    /// Upper bound: a date includes that whole day; an RFC 3339 instant is exclusive.
    created_to,
    /// Admins only: one bank's requests.
    bank,
    /// Company name contains (any case), 2–100 characters.
    name,
    /// `true`: only requests with a message from the other side not read yet
    /// (applicants and reviewers).
    unread,
    /// `newest` (default), `oldest`, `amount_desc` or `amount_asc`; ties by id.
    #[param(value_type = Option<String>, pattern = "^(newest|oldest|amount_desc|amount_asc)$")]
    sort,
}

/// One page of requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoanRequestPage {
    pub items: Vec<LoanRequestView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// Pass as `cursor` to get the previous page; absent on the first page.
    pub prev_cursor: Option<String>,
    /// How many requests match the filters (at most 1,000: see `total_is_lower_bound`).
    pub total: u32,
    /// More than `total` requests match: show "more than {total}".
    pub total_is_lower_bound: bool,
}

fn instant(name: &str, raw: &str, end_of_day: bool) -> Result<DateTime<Utc>, Problem> {
    let invalid = || {
        Problem::invalid_parameter(
            name,
            domain::error::FieldCode::InvalidFormat,
            "expected a date (YYYY-MM-DD) or an RFC 3339 instant",
        )
    };
    let at = if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        at.with_timezone(&Utc)
    } else {
        // chrono's `%Y` also takes a sign and any number of digits ("-5000-01-01"):
        // only the plain YYYY-MM-DD form is a date here.
        let plain = raw.len() == 10
            && raw.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !plain {
            return Err(invalid());
        }
        let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| invalid())?;
        let date = if end_of_day {
            date.checked_add_days(Days::new(1)).unwrap_or(date)
        } else {
            date
        };
        date.and_time(chrono::NaiveTime::MIN).and_utc()
    };
    // Both databases store these years; beyond them PostgreSQL refuses the value.
    if !(1..=9999).contains(&at.year()) {
        return Err(Problem::invalid_parameter(
            name,
            domain::error::FieldCode::OutOfRange,
            "the year must be between 1 and 9999",
        ));
    }
    Ok(at)
}

pub(crate) fn parse_filter(params: &ListParams, caller: &Caller) -> Result<ListFilter, Problem> {
    let mut filter = ListFilter::default();
    if let Some(raw) = &params.status {
        filter.status = Some(Status::parse(raw).ok_or_else(|| {
            Problem::invalid_parameter(
                "status",
                domain::error::FieldCode::UnknownValue,
                "one of submitted, in_review, pre_approved, granted, rejected, withdrawn",
            )
        })?);
    }
    if let Some(raw) = &params.siren {
        filter.siren = Some(
            Siren::parse(raw)
                .map_err(|e| Problem::invalid_parameter("siren", e.code(), e.to_string()))?,
        );
    }
    if let Some(raw) = &params.reference {
        filter.reference = Some(
            Reference::parse(raw)
                .map_err(|e| Problem::invalid_parameter("reference", e.code(), e.to_string()))?,
        );
    }
    if let Some(raw) = &params.created_from {
        filter.created_from = Some(instant("created_from", raw, false)?);
    }
    if let Some(raw) = &params.created_to {
        filter.created_to = Some(instant("created_to", raw, true)?);
    }
    if let (Some(from), Some(to)) = (filter.created_from, filter.created_to)
        && from >= to
    {
        return Err(Problem::invalid_parameter(
            "created_to",
            domain::error::FieldCode::ReversedRange,
            "created_to must come after created_from",
        ));
    }
    if let Some(raw) = &params.bank {
        // Who may filter by bank is the service's rule (LoanRequests::list and export).
        filter.bank = Some(BankCode::parse(raw).map_err(|_| {
            Problem::invalid_parameter("bank", domain::error::FieldCode::InvalidFormat, "5 digits")
        })?);
    }
    if let Some(raw) = &params.name {
        filter.name = Some(NameQuery::parse(raw).map_err(|code| {
            Problem::invalid_parameter("name", code, "2 to 100 visible characters")
        })?);
    }
    match params.unread.as_deref() {
        None | Some("false") => {}
        Some("true") => filter.unread_from = Some(app::loan_requests::unread_from(caller)?),
        Some(_) => {
            return Err(Problem::invalid_parameter(
                "unread",
                domain::error::FieldCode::InvalidFormat,
                "true or false",
            ));
        }
    }
    Ok(filter)
}

pub(crate) fn parse_order(raw: Option<&str>) -> Result<ListOrder, Problem> {
    raw.map_or(Ok(ListOrder::default()), |raw| {
        ListOrder::parse(raw).ok_or_else(|| {
            Problem::invalid_parameter(
                "sort",
                domain::error::FieldCode::UnknownValue,
                "one of newest, oldest, amount_desc, amount_asc",
            )
        })
    })
}

fn parse_limit(raw: Option<&str>) -> Result<u16, Problem> {
    let Some(raw) = raw else { return Ok(20) };
    raw.parse::<u16>()
        .ok()
        .filter(|n| (1..=100).contains(n))
        .ok_or_else(|| {
            Problem::invalid_parameter(
                "limit",
                domain::error::FieldCode::OutOfRange,
                "an integer from 1 to 100",
            )
        })
}

problem_answers! {
    /// `list_loan_requests`'s own problem answers (the shared sets are named in its `responses`).
    ListLoanRequestsProblems {
        InvalidParameter => "Invalid parameter or cursor",
    }
}

/// List visible loan requests.
#[utoipa::path(
    get,
    path = "/api/v1/loan-requests",
    tag = "loan-requests",
    params(ListParams),
    responses(
        (status = 200, description = "A page, newest first unless `sort` says otherwise", body = LoanRequestPage),
        AnyRole,
        ListLoanRequestsProblems,
    ),
    security(("bearer" = []))
)]
pub async fn list_loan_requests(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<LoanRequestPage>, Problem> {
    let filter = parse_filter(&params, &caller)?;
    let order = parse_order(params.sort.as_deref())?;
    let limit = parse_limit(params.limit.as_deref())?;
    let scope = caller.scope();
    let fingerprint = cursor::fingerprint(&scope, &filter, order);
    let from = params
        .cursor
        .as_deref()
        .map(|c| cursor::decode(&state.cursor_key, c, &fingerprint))
        .transpose()?;
    let listing = state
        .services
        .loan_requests
        .list(&caller, &filter, PageQuery { order, from, limit })
        .await?;
    let link =
        |position, direction| cursor::encode(&state.cursor_key, position, direction, &fingerprint);
    let next_cursor = listing
        .page
        .next
        .map(|p| link(p, Direction::After))
        .transpose()?;
    let prev_cursor = listing
        .page
        .prev
        .map(|p| link(p, Direction::Before))
        .transpose()?;
    let items = listing
        .page
        .items
        .iter()
        .map(|request| {
            let mut view = LoanRequestView::from(request);
            view.unread_messages = listing
                .unread_messages
                .as_ref()
                .map(|unread| unread.get(&request.id).copied().unwrap_or(0));
            view
        })
        .collect();
    Ok(Json(LoanRequestPage {
        items,
        next_cursor,
        prev_cursor,
        total: listing.total.count,
        total_is_lower_bound: listing.total.more,
    }))
}
