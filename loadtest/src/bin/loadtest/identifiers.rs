//! The identifier-only load: the hot path of 2020, companies whose bank has agreed asking
//! for their guarantee identifier (500,000 an hour, 139 a second). Requests are brought to
//! `pre_approved` through the API before the steps (submitted by the applicants, taken in
//! review and pre-approved by the reviewers; not measured); each iteration of the scenario
//! then asks for the identifier of one of them, with its owner's token.

use std::collections::VecDeque;
use std::time::Duration;

use futures::StreamExt as _;

use super::*;

/// Pre-approved requests waiting for their identifier: (owner's token, request id).
pub(crate) type Pool = Arc<Mutex<VecDeque<(String, String)>>>;

/// How many pre-approved requests the identifier scenario needs: its share of every
/// request the steps and the warm-up offer (each with two more seconds: goose's start and
/// stop around the measured time), and a tenth more.
pub(crate) fn needed(args: &Args, rates: &[usize]) -> usize {
    if args.identifier_weight == 0 {
        return 0;
    }
    let weights =
        args.applicant_weight + args.reviewer_weight + args.submit_weight + args.identifier_weight;
    let first = rates.first().copied().unwrap_or(args.rate);
    let seconds = |s: u64| usize::try_from(s).unwrap_or(0) + 2;
    let warmup = if args.warmup > 0 {
        seconds(args.warmup) * first
    } else {
        0
    };
    let offered = warmup
        + rates
            .iter()
            .map(|rate| rate * seconds(args.duration))
            .sum::<usize>();
    (offered * args.identifier_weight).div_ceil(weights) * 11 / 10 + 10
}

/// Brings `count` new requests of `bank` to `pre_approved` through the API, 32 at a time,
/// each from the next applicant and decided by the next reviewer.
pub(crate) async fn seed(
    host: &str,
    tokens: &Tokens,
    bank: &str,
    count: usize,
) -> anyhow::Result<Pool> {
    ensure!(
        !tokens.applicants.is_empty() && !tokens.reviewers.is_empty(),
        "seeding pre-approved requests needs applicants and reviewers"
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let started = Instant::now();
    let seeded: Vec<anyhow::Result<(String, String)>> = futures::stream::iter(0..count)
        .map(|i| {
            let applicant = &tokens.applicants[i % tokens.applicants.len()];
            let reviewer = &tokens.reviewers[i % tokens.reviewers.len()];
            let client = &client;
            async move {
                let id = pre_approved(client, host, applicant, reviewer, bank).await?;
                Ok((applicant.clone(), id))
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let pool = seeded
        .into_iter()
        .collect::<anyhow::Result<VecDeque<_>>>()?;
    println!(
        "seeded {} pre-approved requests in {:.1} s (submitted, reviewed, pre-approved through the API; not measured)",
        pool.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(Arc::new(Mutex::new(pool)))
}

/// Sends the request `build` makes until it is not refused for load (429, 503): a seed
/// needs every one of its calls, and a retried submission keeps its Idempotency-Key.
async fn answered(
    build: impl Fn() -> RequestBuilder,
    expected: u16,
    what: &str,
) -> anyhow::Result<reqwest::Response> {
    for _ in 0..100 {
        let response = build().send().await?;
        let status = response.status().as_u16();
        if status == expected {
            return Ok(response);
        }
        if status != 429 && status != 503 {
            let body = response.text().await.unwrap_or_default();
            bail!("{what}: expected {expected}, got {status}: {body}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{what}: still refused for load after 100 tries")
}

fn etag_of(response: &reqwest::Response, what: &str) -> anyhow::Result<String> {
    response
        .headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .with_context(|| format!("{what}: no ETag"))
}

async fn pre_approved(
    client: &reqwest::Client,
    host: &str,
    applicant: &str,
    reviewer: &str,
    bank: &str,
) -> anyhow::Result<String> {
    let (company, amount, years) = random_submission(&mut rand::thread_rng());
    let contact = format!(
        "gerant@{}.example",
        company["siren"].as_str().unwrap_or("entreprise")
    );
    let body = json!({
        "bank_id": bank,
        "company": company,
        "requested_amount_cents": amount,
        "amortization_years": years,
        "contact_email": contact,
    });
    let key = uuid::Uuid::new_v4().to_string();
    let created = answered(
        || {
            client
                .post(format!("{host}/api/v1/loan-requests"))
                .bearer_auth(applicant)
                .header("idempotency-key", &key)
                .json(&body)
        },
        201,
        "seed: submit",
    )
    .await?;
    let etag = etag_of(&created, "seed: submit")?;
    let id = created
        .json::<Value>()
        .await?
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .context("seed: submit: no id")?;
    let reviewed = answered(
        || {
            client
                .post(format!("{host}/api/v1/loan-requests/{id}/review"))
                .bearer_auth(reviewer)
                .header(IF_MATCH, &etag)
        },
        200,
        "seed: review",
    )
    .await?;
    let etag = etag_of(&reviewed, "seed: review")?;
    answered(
        || {
            client
                .post(format!("{host}/api/v1/loan-requests/{id}/decision"))
                .bearer_auth(reviewer)
                .header(IF_MATCH, &etag)
                .json(&json!({"decision": "pre_approve"}))
        },
        200,
        "seed: pre-approve",
    )
    .await?;
    Ok(id)
}

/// One iteration: the owner of a pre-approved request asks for its identifier (201, an
/// identifier in the answer). An empty pool ends the iteration without a request, and
/// is counted: the achieved rate then falls below the offered one.
pub(crate) fn identifier_only(shared: &Arc<Shared>) -> TransactionFunction {
    let shared = Arc::clone(shared);
    Arc::new(move |user| {
        let shared = Arc::clone(&shared);
        Box::pin(async move {
            let next = shared
                .pre_approved
                .lock()
                .ok()
                .and_then(|mut pool| pool.pop_front());
            let Some((token, id)) = next else {
                // Counted, and paced like a request (or a short wait in a closed loop), so
                // that the user does not spin.
                shared.pool_empty.fetch_add(1, Ordering::Relaxed);
                match &shared.pacer {
                    Some(pacer) => pacer.until_ready().await,
                    None => tokio::time::sleep(Duration::from_millis(10)).await,
                }
                return Ok(());
            };
            let builder = user
                .get_request_builder(
                    &GooseMethod::Post,
                    &format!("/api/v1/loan-requests/{id}/guarantee"),
                )?
                .header(AUTHORIZATION, format!("Bearer {token}"));
            let mut answer = send(user, "I identifier", builder).await?;
            expect(user, &mut answer, 201)?;
            if answer
                .json()
                .and_then(|b| b.get("identifier")?.as_str().map(str::to_owned))
                .is_none()
            {
                return fail(user, &mut answer, "no identifier in the answer");
            }
            Ok(())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_covers_the_scenarios_share_of_every_step_and_a_tenth_more() {
        let mut args = Args::parse_from([
            "loadtest",
            "--identifier-weight",
            "1",
            "--applicant-weight",
            "0",
            "--reviewer-weight",
            "0",
            "--duration",
            "60s",
            "--warmup",
            "3s",
        ]);
        assert_eq!(needed(&args, &[139]), 139 * 67 * 11 / 10 + 10);
        args.applicant_weight = 3;
        assert_eq!(
            needed(&args, &[100, 100]),
            (100 * 5 + 100 * 124) / 4 * 11 / 10 + 10
        );
        args.warmup = 0;
        assert_eq!(needed(&args, &[100]), 100 * 62 / 4 * 11 / 10 + 10);
        args.identifier_weight = 0;
        assert_eq!(needed(&args, &[139]), 0);
    }
}
