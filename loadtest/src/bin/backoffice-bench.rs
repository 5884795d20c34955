//! Back-office benchmark (issue: bank reviewers on 1,000,000 requests).
//!
//! Seeds a PostgreSQL database with N requests across 20 banks (multi-row INSERTs in
//! large batches), starts the real API in-process on it, and measures through HTTP the
//! p50/p99 of what a reviewer does all day: first page, a deep page via cursor, a
//! status filter, a lookup by reference, a lookup by SIREN. Then prints the
//! `EXPLAIN (ANALYZE)` plans of the same queries.
//!
//! ```sh
//! cargo run --release -p pge-loadtest --bin backoffice-bench -- --rows 1000000
//! ```
#![allow(clippy::print_stdout)] // a report printed to the terminal is its purpose

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{TimeZone, Utc};
use clap::Parser;
use domain::company::Siren;
use domain::loan_request::{
    Direction, ListFilter, ListOrder, LoanRequestId, NameQuery, PageQuery, Position, Scope,
};
use domain::reference::Reference;
use domain::submission::BankCode;
use domain::workflow::Status;
use infra::entity::{bank, loan_request};
use infra::identity::{DevIdentityProvider, DevTokenRequest};
use infra::{DatabaseSettings, Store};
use rand::{Rng, SeedableRng};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, Database, EntityTrait, PaginatorTrait, Statement,
};

#[derive(Parser)]
struct Args {
    /// Server on which the benchmark database is created.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    admin_url: String,
    /// Name of the benchmark database (kept between runs; seeded once).
    #[arg(long, default_value = "pge_bench_backoffice")]
    database: String,
    /// Requests to seed.
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    /// Drop and reseed even if the database already holds the rows.
    #[arg(long)]
    fresh: bool,
    /// Measured requests per scenario.
    #[arg(long, default_value_t = 500)]
    samples: usize,
}

const BANKS: [&str; 20] = [
    "30004", "30003", "30002", "10278", "20041", "30066", "30056", "17515", "18206", "10107",
    "11006", "12006", "13106", "14406", "16606", "17806", "18306", "19106", "13335", "14505",
];
const STATUSES: [(&str, u32); 6] = [
    ("submitted", 60),
    ("in_review", 15),
    ("pre_approved", 10),
    ("granted", 5),
    ("rejected", 7),
    ("withdrawn", 3),
];

fn luhn_siren(rng: &mut impl Rng) -> String {
    domain::company::luhn_complete(&format!("{:08}", rng.gen_range(0..100_000_000_u32)))
}

fn status(rng: &mut impl Rng) -> &'static str {
    let mut pick = rng.gen_range(0..100);
    for (s, weight) in STATUSES {
        if pick < weight {
            return s;
        }
        pick -= weight;
    }
    "submitted"
}

/// Trades and family names the seeded legal names are made of ("Boulangerie Martin
/// 4821"): a name search finds a realistic share of a bank's requests, not all or none.
const TRADES: [&str; 16] = [
    "Boulangerie",
    "Menuiserie",
    "Garage",
    "Pharmacie",
    "Imprimerie",
    "Fromagerie",
    "Transports",
    "Atelier",
    "Librairie",
    "Plomberie",
    "Boucherie",
    "Cabinet",
    "Hôtel",
    "Brasserie",
    "Fleuriste",
    "Électricité",
];
const FAMILY_NAMES: [&str; 24] = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine",
];

fn fake_row(rng: &mut impl Rng, base: chrono::DateTime<Utc>) -> loan_request::ActiveModel {
    let amount: i64 = rng.gen_range(100_000..20_000_000);
    let created = base + chrono::Duration::microseconds(rng.gen_range(0..30 * 86_400_000_000i64));
    loan_request::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        reference: Set(Reference::from_bits(rng.r#gen::<u64>()).to_string()),
        status: Set(status(rng).to_owned()),
        version: Set(1),
        bank_id: Set(BANKS[rng.gen_range(0..BANKS.len())].to_owned()),
        applicant_sub: Set(format!("applicant-{}", rng.gen_range(0..200_000))),
        siren: Set(luhn_siren(rng)),
        siret: Set(None),
        legal_name: Set(format!(
            "{} {} {}",
            TRADES[rng.gen_range(0..TRADES.len())],
            FAMILY_NAMES[rng.gen_range(0..FAMILY_NAMES.len())],
            rng.gen_range(0..10_000)
        )),
        legal_form: Set("SAS".to_owned()),
        creation_date: Set(chrono::NaiveDate::from_ymd_opt(2015, 3, 1).unwrap_or_default()),
        headcount: Set(rng.gen_range(1..200)),
        revenue_cents: Set(amount * 8),
        payroll_cents: Set(None),
        balance_sheet_cents: Set(None),
        innovative: Set(false),
        collective_proceedings: Set(false),
        requested_amount_cents: Set(amount),
        amortization_years: Set(4),
        contact_email: Set("contact@entreprise.example".to_owned()),
        size_category: Set("PME".to_owned()),
        cap_cents: Set(amount * 2),
        guarantee_share_bp: Set(9000),
        guaranteed_cents: Set(amount * 9 / 10),
        fee_schedule: Set("[]".to_owned()),
        total_fee_cents: Set(amount / 50),
        decision_reason: Set(None),
        created_at: Set(created),
        updated_at: Set(created),
    }
}

fn database_url(admin: &str, name: &str) -> String {
    let prefix = admin.rsplit_once('/').map_or(admin, |(p, _)| p);
    format!("{prefix}/{name}")
}

async fn seed(url: &str, rows: u64) -> anyhow::Result<()> {
    let store = Store::connect(&DatabaseSettings {
        url: url.to_owned(),
        max_connections: 4,
        acquire_timeout: Duration::from_secs(30),
    })
    .await?;
    store.migrate().await?;
    let db = store.connection().clone();
    let now = Utc::now();
    for code in BANKS {
        let exists = bank::Entity::find_by_id(code.to_owned())
            .one(&db)
            .await?
            .is_some();
        if !exists {
            bank::Entity::insert(bank::ActiveModel {
                code: Set(code.to_owned()),
                name: Set(format!("Banque {code}")),
                notification_email: Set(None),
                created_at: Set(now),
            })
            .exec_without_returning(&db)
            .await?;
        }
    }
    let base = Utc
        .with_ymd_and_hms(2026, 3, 25, 0, 0, 0)
        .single()
        .context("date")?;
    let started = Instant::now();
    let batch = 2_000u64;
    let batches = rows.div_ceil(batch);
    // Two writers: one per core.
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut writers = Vec::new();
    for worker in 0..2u64 {
        let db = db.clone();
        let next = next.clone();
        writers.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(worker + 7);
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= batches {
                    return Ok::<(), sea_orm::DbErr>(());
                }
                let size = batch.min(rows - n * batch);
                let models: Vec<_> = (0..size).map(|_| fake_row(&mut rng, base)).collect();
                loan_request::Entity::insert_many(models)
                    .exec_without_returning(&db)
                    .await?;
                if n.is_multiple_of(50) {
                    eprintln!("seeded {} rows", (n + 1) * batch);
                }
            }
        }));
    }
    for writer in writers {
        writer.await??;
    }
    db.execute_unprepared("ANALYZE loan_requests").await?;
    println!(
        "seeded {rows} requests in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

async fn measure(
    client: &reqwest::Client,
    name: &str,
    samples: usize,
    mut request: impl FnMut(usize) -> reqwest::RequestBuilder,
) -> anyhow::Result<()> {
    for i in 0..20 {
        request(i).send().await?.error_for_status()?.bytes().await?;
    }
    let _ = client;
    let mut latencies = Vec::with_capacity(samples);
    for i in 0..samples {
        let started = Instant::now();
        let response = request(i + 20).send().await?;
        let status = response.status();
        response.bytes().await?;
        latencies.push(started.elapsed());
        anyhow::ensure!(status.is_success(), "{name}: status {status}");
    }
    latencies.sort();
    println!(
        "| {name} | {samples} | {:.2} | {:.2} | {:.2} |",
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        percentile(&latencies, 100.0)
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let admin = Database::connect(&args.admin_url).await?;
    let url = database_url(&args.admin_url, &args.database);
    if args.fresh {
        admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                args.database
            ))
            .await?;
    }
    let exists = admin
        .query_one(Statement::from_string(
            admin.get_database_backend(),
            format!(
                "SELECT 1 FROM pg_database WHERE datname = '{}'",
                args.database
            ),
        ))
        .await?
        .is_some();
    if !exists {
        admin
            .execute_unprepared(&format!("CREATE DATABASE {}", args.database))
            .await?;
    }
    let db = Database::connect(&url).await?;
    let present = if exists {
        loan_request::Entity::find().count(&db).await.unwrap_or(0)
    } else {
        0
    };
    if present < args.rows {
        if present > 0 {
            db.execute_unprepared("TRUNCATE loan_requests CASCADE")
                .await?;
        }
        seed(&url, args.rows).await?;
    } else {
        println!("reusing {present} seeded requests in {}", args.database);
    }

    let idp = Arc::new(DevIdentityProvider::ephemeral().map_err(anyhow::Error::msg)?);
    let state = api::build_state(api::Wiring {
        database: DatabaseSettings {
            url: url.clone(),
            max_connections: 8,
            acquire_timeout: Duration::from_secs(5),
        },
        identity: api::Identity::Dev(idp.clone()),
        campaign: domain::campaign::CampaignWindow::default(),
        one_identifier_per_company: domain::issuance::OneIdentifierPerCompany::NEVER,
        cursor_key: b"bench".to_vec(),
        migrate: true,
        aws: None,
        mail: api::MailWiring::Folder {
            dir: std::env::temp_dir().join("pge-bench-mail"),
            from: api::DEV_MAIL_FROM.to_owned(),
        },
        documents: api::DocumentsWiring::Local {
            dir: std::env::temp_dir().join("pge-bench-documents"),
            public_base_url: "http://127.0.0.1".to_owned(),
        },
        // One client measuring sequentially: nothing to limit.
        limits: api::limits::Limits {
            per_ip_per_second: 0,
            per_principal_per_second: 0,
            ..api::limits::Limits::default()
        },
        web: api::WebWiring::default(),
    })
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(api::serve(listener, state, std::future::pending()));

    let token = |bank: &str| {
        idp.mint(
            &DevTokenRequest::for_role(
                "reviewer",
                format!("reviewer-{bank}"),
                Some(bank.to_owned()),
            )
            .expect("role"),
        )
        .expect("token")
    };
    let tokens: Vec<String> = BANKS.iter().map(|b| token(b)).collect();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(4)
        .build()?;

    // Samples for lookups: real rows of the bank 30004.
    let sample: Vec<(String, String)> = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT reference, siren FROM loan_requests WHERE bank_id = '30004' ORDER BY random() LIMIT 1000".to_owned(),
        ))
        .await?
        .into_iter()
        .filter_map(|r| Some((r.try_get::<String>("", "reference").ok()?, r.try_get::<String>("", "siren").ok()?)))
        .collect();
    anyhow::ensure!(!sample.is_empty(), "no rows for bank 30004");

    // A deep cursor: 100 pages of 100 into bank 30004's list.
    let mut cursor = String::new();
    for _ in 0..100 {
        let url = if cursor.is_empty() {
            format!("{base}/api/v1/loan-requests?limit=100")
        } else {
            format!("{base}/api/v1/loan-requests?limit=100&cursor={cursor}")
        };
        let page: serde_json::Value = client
            .get(url)
            .bearer_auth(&tokens[0])
            .send()
            .await?
            .json()
            .await?;
        cursor = page["next_cursor"]
            .as_str()
            .context("next cursor")?
            .to_owned();
    }

    println!("\n| scenario (HTTP, sequential) | samples | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|");
    let n = args.samples;
    measure(&client, "reviewer's first page (20)", n, |i| {
        client
            .get(format!("{base}/api/v1/loan-requests"))
            .bearer_auth(&tokens[i % tokens.len()])
    })
    .await?;
    measure(&client, "deep page via cursor (10,000 rows in)", n, |_| {
        client
            .get(format!(
                "{base}/api/v1/loan-requests?limit=20&cursor={cursor}"
            ))
            .bearer_auth(&tokens[0])
    })
    .await?;
    measure(&client, "filter by status (pre_approved)", n, |i| {
        client
            .get(format!("{base}/api/v1/loan-requests?status=pre_approved"))
            .bearer_auth(&tokens[i % tokens.len()])
    })
    .await?;
    measure(&client, "lookup by reference", n, |i| {
        let reference = sample[i % sample.len()].0.to_lowercase();
        client
            .get(format!("{base}/api/v1/loan-requests?reference={reference}"))
            .bearer_auth(&tokens[0])
    })
    .await?;
    measure(
        &client,
        "search by company name (\"fromagerie dupont\")",
        n,
        |i| {
            client
                .get(format!(
                    "{base}/api/v1/loan-requests?name=fromagerie%20dupont"
                ))
                .bearer_auth(&tokens[i % tokens.len()])
        },
    )
    .await?;
    measure(&client, "queue sorted by amount, largest first", n, |i| {
        client
            .get(format!("{base}/api/v1/loan-requests?sort=amount_desc"))
            .bearer_auth(&tokens[i % tokens.len()])
    })
    .await?;
    measure(&client, "queue oldest first, submitted only", n, |i| {
        client
            .get(format!(
                "{base}/api/v1/loan-requests?sort=oldest&status=submitted"
            ))
            .bearer_auth(&tokens[i % tokens.len()])
    })
    .await?;
    measure(&client, "lookup by SIREN", n, |i| {
        client
            .get(format!(
                "{base}/api/v1/loan-requests?siren={}",
                sample[i % sample.len()].1
            ))
            .bearer_auth(&tokens[0])
    })
    .await?;

    // The plans of the statements the API runs for these scenarios, built by the same
    // code (`Store::list_statement`), values bound; the deep page starts after the
    // 10,000th row of bank 30004, as its cursor does.
    let (reference, siren) = sample[0].clone();
    let deep = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT created_at, id FROM loan_requests WHERE bank_id = '30004' \
             ORDER BY created_at DESC, id DESC OFFSET 10000 LIMIT 1"
                .to_owned(),
        ))
        .await?
        .context("10,000 rows in bank 30004")?;
    let deep_at: chrono::DateTime<Utc> = deep.try_get("", "created_at")?;
    let deep = Position {
        key: deep_at.timestamp_micros(),
        id: LoanRequestId(deep.try_get("", "id")?),
    };
    let bank = Scope::Bank(BankCode::parse("30004").context("bank code")?);
    let store = Store::connect(&DatabaseSettings {
        url: url.clone(),
        max_connections: 1,
        acquire_timeout: Duration::from_secs(5),
    })
    .await?;
    let newest = |from| PageQuery {
        order: ListOrder::Newest,
        from,
        limit: 20,
    };
    let plans = [
        ("first page", ListFilter::default(), newest(None)),
        (
            "deep page",
            ListFilter::default(),
            newest(Some((deep, Direction::After))),
        ),
        (
            "status filter",
            ListFilter {
                status: Some(Status::PreApproved),
                ..ListFilter::default()
            },
            newest(None),
        ),
        (
            "reference",
            ListFilter {
                reference: Some(Reference::parse(&reference).context("reference")?),
                ..ListFilter::default()
            },
            newest(None),
        ),
        (
            "siren",
            ListFilter {
                siren: Some(Siren::parse(&siren).context("siren")?),
                ..ListFilter::default()
            },
            newest(None),
        ),
        (
            "company name",
            ListFilter {
                name: Some(
                    NameQuery::parse("fromagerie dupont").map_err(|c| anyhow::anyhow!("{c:?}"))?,
                ),
                ..ListFilter::default()
            },
            newest(None),
        ),
        (
            "sorted by amount",
            ListFilter::default(),
            PageQuery {
                order: ListOrder::AmountDesc,
                from: None,
                limit: 20,
            },
        ),
    ];
    for (name, filter, page) in plans {
        let statement = store.list_statement(&bank, &filter, page);
        // The column list is the table's every column: shortened to "…" for reading.
        let shown = statement
            .sql
            .split_once(" FROM ")
            .map_or(statement.sql.clone(), |(_, rest)| {
                format!("SELECT … FROM {rest}")
            });
        println!("\nEXPLAIN (ANALYZE, BUFFERS) -- {name}\n\n    {shown}\n\n```");
        let explain = Statement {
            sql: format!("EXPLAIN (ANALYZE, BUFFERS) {}", statement.sql),
            ..statement
        };
        for row in db.query_all(explain).await? {
            println!("{}", row.try_get_by_index::<String>(0).unwrap_or_default());
        }
        println!("```");
    }
    Ok(())
}
