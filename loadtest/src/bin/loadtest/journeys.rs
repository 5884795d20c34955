//! The two journeys (applicant, reviewer) and the submission-only load, as goose
//! transactions. The 2020 sequence runs through them: reviewers pre-approve what
//! applicants submitted; an applicant who finds a request of theirs pre-approved obtains
//! its guarantee identifier and hands it over (a queue the reviewers read); a reviewer
//! grants on an identifier handed over.

use super::*;

/// What the transactions of one step share.
pub(crate) struct Shared {
    /// Paces every request of every user at the offered rate (GCRA: a late wake-up is
    /// made up by the next requests, so the average rate holds); `None` in closed loop.
    pub(crate) pacer: Option<governor::DefaultDirectRateLimiter>,
    pub(crate) applicant_tokens: Vec<String>,
    pub(crate) reviewer_tokens: Vec<String>,
    pub(crate) next_applicant: AtomicUsize,
    pub(crate) next_reviewer: AtomicUsize,
    /// Next applicant token of the submission-only scenario.
    pub(crate) next_submitter: AtomicUsize,
    pub(crate) bank: String,
    pub(crate) reject_share: f64,
    /// 409 `invalid-transition` and 412 answers, by request name and status.
    pub(crate) contention: Mutex<BTreeMap<(String, u16), u64>>,
    /// Reviewer journeys that found nothing submitted.
    pub(crate) idle: AtomicU64,
    /// Identifiers the applicants obtained, handed to the bank: (request id, identifier).
    pub(crate) handed_over: Mutex<std::collections::VecDeque<(String, String)>>,
    /// Pre-approved requests of the identifier scenario, seeded before the steps.
    pub(crate) pre_approved: identifiers::Pool,
    /// Iterations of the identifier scenario that found the pool empty.
    pub(crate) pool_empty: AtomicU64,
    /// Answers that shed load (503 `overloaded`, 429), by request name.
    pub(crate) shed: Mutex<BTreeMap<String, u64>>,
    /// Response times of the other answers (milliseconds → count), by request name.
    pub(crate) accepted: Mutex<BTreeMap<String, BTreeMap<usize, usize>>>,
}

impl Shared {
    pub(crate) fn record(&self, answer: &Answer) {
        let shed = answer.status == 429
            || (answer.status == 503 && answer.problem_type().as_deref() == Some("overloaded"));
        if shed {
            if let Ok(mut map) = self.shed.lock() {
                if let Some(count) = map.get_mut(&answer.metric.name) {
                    *count += 1;
                } else {
                    map.insert(answer.metric.name.clone(), 1);
                }
            }
        } else if let Ok(mut map) = self.accepted.lock() {
            let millis = usize::try_from(answer.metric.response_time).unwrap_or(usize::MAX);
            // On every answer: one lookup, and the name's key allocated only the first time.
            if let Some(times) = map.get_mut(&answer.metric.name) {
                *times.entry(millis).or_default() += 1;
            } else {
                map.insert(answer.metric.name.clone(), BTreeMap::from([(millis, 1)]));
            }
        }
    }

    pub(crate) fn count_contention(&self, name: &str, status: u16) {
        if let Ok(mut map) = self.contention.lock() {
            *map.entry((name.to_owned(), status)).or_default() += 1;
        }
    }
}

/// Per user: the `Authorization` header value.
pub(crate) struct Session {
    pub(crate) authorization: String,
    pub(crate) shared: Arc<Shared>,
}

pub(crate) fn authorization(user: &GooseUser) -> String {
    user.get_session_data::<Session>()
        .map(|s| s.authorization.clone())
        .unwrap_or_default()
}

/// One answered request.
pub(crate) struct Answer {
    pub(crate) metric: GooseRequestMetric,
    pub(crate) status: u16,
    pub(crate) etag: Option<String>,
    pub(crate) text: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.text).ok()
    }

    /// The problem type's last segment, e.g. `invalid-transition`.
    pub(crate) fn problem_type(&self) -> Option<String> {
        let body = self.json()?;
        let kind = body.get("type")?.as_str()?;
        Some(kind.rsplit('/').next().unwrap_or(kind).to_owned())
    }
}

/// Sends a request through goose (throttled and measured), and reads the answer.
pub(crate) async fn send(
    user: &mut GooseUser,
    name: &str,
    builder: RequestBuilder,
) -> Result<Answer, Box<TransactionError>> {
    let shared = user
        .get_session_data::<Session>()
        .map(|s| Arc::clone(&s.shared));
    if let Some(pacer) = shared.as_ref().and_then(|s| s.pacer.as_ref()) {
        pacer.until_ready().await;
    }
    let request = GooseRequest::builder()
        .name(name)
        .set_request_builder(builder)
        .build();
    let GooseResponse { request, response } = user.request(request).await?;
    match response {
        Ok(response) => {
            let status = response.status().as_u16();
            let etag = response
                .headers()
                .get(ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let text = response.text().await.unwrap_or_default();
            let answer = Answer {
                metric: request,
                status,
                etag,
                text,
            };
            if let Some(shared) = &shared {
                shared.record(&answer);
            }
            Ok(answer)
        }
        // Goose has counted it as a failure already.
        Err(_) => Err(Box::new(TransactionError::RequestFailed {
            raw_request: request,
        })),
    }
}

/// Ends the journey unless the answer has the expected status. Goose counts any non-2xx
/// answer as a failure; a 2xx other than the expected one is marked failed here.
pub(crate) fn expect(user: &GooseUser, answer: &mut Answer, status: u16) -> TransactionResult {
    if answer.status == status {
        return Ok(());
    }
    if answer.metric.success {
        let tag = format!(
            "{}: expected {status}, got {}",
            answer.metric.name, answer.status
        );
        return user.set_failure(&tag, &mut answer.metric, None, Some(&answer.text));
    }
    Err(Box::new(TransactionError::RequestFailed {
        raw_request: answer.metric.clone(),
    }))
}

pub(crate) fn fail(user: &GooseUser, answer: &mut Answer, why: &str) -> TransactionResult {
    let tag = format!("{}: {why}", answer.metric.name);
    user.set_failure(&tag, &mut answer.metric, None, Some(&answer.text))
}

pub(crate) fn on_start(shared: &Arc<Shared>, applicant: bool) -> TransactionFunction {
    let shared = Arc::clone(shared);
    Arc::new(move |user| {
        let shared = Arc::clone(&shared);
        Box::pin(async move {
            let (tokens, next) = if applicant {
                (&shared.applicant_tokens, &shared.next_applicant)
            } else {
                (&shared.reviewer_tokens, &shared.next_reviewer)
            };
            let index = next.fetch_add(1, Ordering::Relaxed);
            let token = tokens
                .get(index % tokens.len().max(1))
                .cloned()
                .unwrap_or_default();
            user.set_session_data(Session {
                authorization: format!("Bearer {token}"),
                shared: Arc::clone(&shared),
            });
            Ok(())
        })
    })
}

pub(crate) fn journey(shared: &Arc<Shared>, applicant: bool) -> TransactionFunction {
    let shared = Arc::clone(shared);
    Arc::new(move |user| {
        let shared = Arc::clone(&shared);
        Box::pin(async move {
            if applicant {
                applicant_journey(user, &shared).await
            } else {
                reviewer_journey(user, &shared).await
            }
        })
    })
}

pub(crate) fn submit_only(shared: &Arc<Shared>) -> TransactionFunction {
    let shared = Arc::clone(shared);
    Arc::new(move |user| {
        let shared = Arc::clone(&shared);
        Box::pin(async move {
            // Each submission comes from the next applicant in turn (many applicants
            // submitting once, as on launch day), so the per-principal rate limit does not
            // cap the ceiling at users x the per-principal budget.
            let index = shared.next_submitter.fetch_add(1, Ordering::Relaxed);
            let token = shared
                .applicant_tokens
                .get(index % shared.applicant_tokens.len().max(1))
                .map(|t| format!("Bearer {t}"))
                .unwrap_or_default();
            let submission = random_submission(&mut rand::thread_rng());
            submit(user, &shared, "S submit", &token, submission)
                .await
                .map(|_| ())
        })
    })
}

/// `POST /api/v1/loan-requests` of a random eligible company; the new request's id.
pub(crate) async fn submit(
    user: &mut GooseUser,
    shared: &Shared,
    name: &str,
    auth: &str,
    (company, amount, years): (Value, i64, i64),
) -> Result<Option<String>, Box<TransactionError>> {
    let contact = format!(
        "gerant@{}.example",
        company["siren"].as_str().unwrap_or("entreprise")
    );
    let builder = user
        .get_request_builder(&GooseMethod::Post, "/api/v1/loan-requests")?
        .header(AUTHORIZATION, auth)
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .json(&json!({
            "bank_id": shared.bank,
            "company": company,
            "requested_amount_cents": amount,
            "amortization_years": years,
            "contact_email": contact,
        }));
    let mut answer = send(user, name, builder).await?;
    expect(user, &mut answer, 201)?;
    let id = answer
        .json()
        .and_then(|b| b.get("id")?.as_str().map(str::to_owned));
    if id.is_none() {
        fail(user, &mut answer, "no id in the answer")?;
    }
    Ok(id)
}

/// Journey A: simulate → submit → list own → read one → list pre-approved → identifier.
pub(crate) async fn applicant_journey(user: &mut GooseUser, shared: &Shared) -> TransactionResult {
    let auth = authorization(user);
    let (company, amount, years) = random_submission(&mut rand::thread_rng());

    let builder = user
        .get_request_builder(&GooseMethod::Post, "/api/v1/simulations")?
        // The SPA sends the signed-in applicant's token with every call, so the
        // per-principal budget is theirs (anonymous calls share their address's).
        .header(AUTHORIZATION, &auth)
        .json(&json!({
            "company": company,
            "requested_amount_cents": amount,
            "amortization_years": years,
        }));
    let mut answer = send(user, "A1 simulate", builder).await?;
    expect(user, &mut answer, 200)?;
    if answer.json().and_then(|b| b.get("eligible")?.as_bool()) != Some(true) {
        return fail(user, &mut answer, "company not eligible");
    }

    let Some(id) = submit(user, shared, "A2 submit", &auth, (company, amount, years)).await? else {
        return Ok(());
    };

    let builder = user
        .get_request_builder(&GooseMethod::Get, "/api/v1/loan-requests?limit=10")?
        .header(AUTHORIZATION, &auth);
    let mut answer = send(user, "A3 list own", builder).await?;
    expect(user, &mut answer, 200)?;
    let listed = answer.json().is_some_and(|b| {
        b.get("items")
            .and_then(Value::as_array)
            .is_some_and(|items| {
                items
                    .iter()
                    .any(|item| item.get("id").and_then(Value::as_str) == Some(id.as_str()))
            })
    });
    if !listed {
        return fail(
            user,
            &mut answer,
            "the new request is not in the owner's list",
        );
    }

    let builder = user
        .get_request_builder(&GooseMethod::Get, &format!("/api/v1/loan-requests/{id}"))?
        .header(AUTHORIZATION, &auth);
    let mut answer = send(user, "A4 read one", builder).await?;
    expect(user, &mut answer, 200)?;
    if answer.etag.is_none() {
        return fail(user, &mut answer, "no ETag");
    }
    obtain_identifier(user, shared, &auth).await
}

/// After the bank's agreement: the applicant's pre-approved requests (their earlier
/// submissions, which reviewers took meanwhile) → the guarantee identifier of one,
/// handed over to the bank.
pub(crate) async fn obtain_identifier(
    user: &mut GooseUser,
    shared: &Shared,
    auth: &str,
) -> TransactionResult {
    let builder = user
        .get_request_builder(
            &GooseMethod::Get,
            "/api/v1/loan-requests?status=pre_approved&limit=5",
        )?
        .header(AUTHORIZATION, auth);
    let mut answer = send(user, "A5 list pre-approved", builder).await?;
    expect(user, &mut answer, 200)?;
    let first = answer.json().and_then(|b| {
        b.get("items")?
            .as_array()?
            .first()?
            .get("id")?
            .as_str()
            .map(str::to_owned)
    });
    let Some(id) = first else {
        return Ok(());
    };
    let builder = user
        .get_request_builder(
            &GooseMethod::Post,
            &format!("/api/v1/loan-requests/{id}/guarantee"),
        )?
        .header(AUTHORIZATION, auth);
    let mut answer = send(user, "A6 identifier", builder).await?;
    if answer.status == 200 {
        // Obtained before (a grant pending, or this journey's earlier turn).
        user.set_success(&mut answer.metric)?;
        return Ok(());
    }
    expect(user, &mut answer, 201)?;
    let Some(identifier) = answer
        .json()
        .and_then(|b| b.get("identifier")?.as_str().map(str::to_owned))
    else {
        return fail(user, &mut answer, "no identifier in the answer");
    };
    if let Ok(mut queue) = shared.handed_over.lock() {
        queue.push_back((id, identifier));
    }
    Ok(())
}

/// A 409 `invalid-transition` or a 412 on a state change: another reviewer was first.
/// Marks it a success for goose and counts it; answers whether it was contention.
pub(crate) fn contention(
    user: &GooseUser,
    shared: &Shared,
    answer: &mut Answer,
) -> Result<bool, Box<TransactionError>> {
    let lost = match answer.status {
        412 => true,
        409 => answer.problem_type().as_deref() == Some("invalid-transition"),
        _ => false,
    };
    if lost {
        shared.count_contention(&answer.metric.name, answer.status);
        user.set_success(&mut answer.metric)?;
    }
    Ok(lost)
}

/// Journey B: list the bank's submitted requests → open one → review → decide → grant on an
/// identifier handed over.
pub(crate) async fn reviewer_journey(user: &mut GooseUser, shared: &Shared) -> TransactionResult {
    let auth = authorization(user);

    let builder = user
        .get_request_builder(
            &GooseMethod::Get,
            "/api/v1/loan-requests?status=submitted&limit=20",
        )?
        .header(AUTHORIZATION, &auth);
    let mut answer = send(user, "B1 list submitted", builder).await?;
    expect(user, &mut answer, 200)?;
    let Some(ids) = answer.json().and_then(|b| {
        b.get("items").and_then(Value::as_array).map(|items| {
            items
                .iter()
                .filter_map(|item| item.get("id").and_then(Value::as_str).map(str::to_owned))
                .collect::<Vec<_>>()
        })
    }) else {
        return fail(user, &mut answer, "no items in the page");
    };
    let Some(id) = ids.choose(&mut rand::thread_rng()).cloned() else {
        shared.idle.fetch_add(1, Ordering::Relaxed);
        return Ok(());
    };

    let builder = user
        .get_request_builder(&GooseMethod::Get, &format!("/api/v1/loan-requests/{id}"))?
        .header(AUTHORIZATION, &auth);
    let mut answer = send(user, "B2 open", builder).await?;
    expect(user, &mut answer, 200)?;
    let Some(etag) = answer.etag.clone() else {
        return fail(user, &mut answer, "no ETag");
    };

    let builder = user
        .get_request_builder(
            &GooseMethod::Post,
            &format!("/api/v1/loan-requests/{id}/review"),
        )?
        .header(AUTHORIZATION, &auth)
        .header(IF_MATCH, &etag);
    let mut answer = send(user, "B3 review", builder).await?;
    if contention(user, shared, &mut answer)? {
        return Ok(());
    }
    expect(user, &mut answer, 200)?;
    let Some(etag) = answer.etag.clone() else {
        return fail(user, &mut answer, "no ETag");
    };

    let decision = if rand::thread_rng().gen_bool(shared.reject_share.clamp(0.0, 1.0)) {
        json!({"decision": "reject", "reason": "Dossier incomplet"})
    } else {
        json!({"decision": "pre_approve"})
    };
    let builder = user
        .get_request_builder(
            &GooseMethod::Post,
            &format!("/api/v1/loan-requests/{id}/decision"),
        )?
        .header(AUTHORIZATION, &auth)
        .header(IF_MATCH, &etag)
        .json(&decision);
    let mut answer = send(user, "B4 decide", builder).await?;
    if contention(user, shared, &mut answer)? {
        return Ok(());
    }
    expect(user, &mut answer, 200)?;
    grant_handed_over(user, shared, &auth).await
}

/// A reviewer grants on an identifier a company handed over, if one waits: open the
/// request (its ETag) → grant with the identifier.
pub(crate) async fn grant_handed_over(
    user: &mut GooseUser,
    shared: &Shared,
    auth: &str,
) -> TransactionResult {
    let next = shared
        .handed_over
        .lock()
        .ok()
        .and_then(|mut queue| queue.pop_front());
    let Some((id, identifier)) = next else {
        return Ok(());
    };
    let builder = user
        .get_request_builder(&GooseMethod::Get, &format!("/api/v1/loan-requests/{id}"))?
        .header(AUTHORIZATION, auth);
    let mut answer = send(user, "B5 open to grant", builder).await?;
    expect(user, &mut answer, 200)?;
    let Some(etag) = answer.etag.clone() else {
        return fail(user, &mut answer, "no ETag");
    };
    let builder = user
        .get_request_builder(
            &GooseMethod::Post,
            &format!("/api/v1/loan-requests/{id}/grant"),
        )?
        .header(AUTHORIZATION, auth)
        .header(IF_MATCH, &etag)
        .json(&json!({"guarantee_identifier": identifier}));
    let mut answer = send(user, "B6 grant", builder).await?;
    if contention(user, shared, &mut answer)? {
        return Ok(());
    }
    expect(user, &mut answer, 200)
}
