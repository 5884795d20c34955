//! The reviewer's queue at scale: the four orders with next and previous pages, the
//! total, the search in company names and the unread filter, on both databases.

use harness::{TestApp, on_both_backends, random_siren, submission};
use serde_json::{Value, json};

/// Submits `names.len()` requests to bank 30004, one per applicant (so that no aggregate
/// cap is shared), with these legal names and amounts; returns their ids in order.
async fn seed(app: &TestApp, rows: &[(&str, i64)]) -> Vec<String> {
    let mut ids = Vec::new();
    for (i, (name, amount)) in rows.iter().enumerate() {
        let owner = app.applicant(&format!("queue-owner-{i}"));
        let mut body = submission(&random_siren(), *amount);
        body["company"]["legal_name"] = json!(name);
        let created = app.submit(&owner, &body).await;
        ids.push(created["id"].as_str().expect("id").to_owned());
    }
    ids
}

fn ids_of(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Walks a list forward page by page, then back from the last page to the first.
async fn walk(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    let mut url = format!("/api/v1/loan-requests?limit=2&{query}");
    for _ in 0..20 {
        let page = app.get(&url, Some(token)).await;
        assert_eq!(page.status, 200, "{}", page.text);
        if pages.is_empty() {
            assert!(
                page.json.get("prev_cursor").is_none_or(Value::is_null),
                "the first page has no previous page"
            );
        } else {
            assert!(page.json["prev_cursor"].is_string(), "{}", page.text);
        }
        seen.extend(ids_of(&page.json));
        pages.push(page.json.clone());
        match page.json["next_cursor"].as_str() {
            Some(next) => url = format!("/api/v1/loan-requests?limit=2&{query}&cursor={next}"),
            None => break,
        }
    }
    // Back: each previous page is the page seen before it.
    for i in (1..pages.len()).rev() {
        let prev = pages[i]["prev_cursor"].as_str().expect("prev cursor");
        let back = app
            .get(
                &format!("/api/v1/loan-requests?limit=2&{query}&cursor={prev}"),
                Some(token),
            )
            .await;
        assert_eq!(back.status, 200, "{}", back.text);
        assert_eq!(
            ids_of(&back.json),
            ids_of(&pages[i - 1]),
            "page {i} back to {}",
            i - 1
        );
    }
    seen
}

async fn the_queue_sorts_pages_both_ways_and_counts(app: TestApp) {
    // Same amount twice: ties are broken by id, and no page repeats or skips one.
    let rows = [
        ("Boulangerie Martin", 3_000_000),
        ("Garage Dupont", 1_000_000),
        ("Fromagerie Dupont", 5_000_000),
        ("Menuiserie Petit", 2_000_000),
        ("Pharmacie Durand", 3_000_000),
    ];
    let ids = seed(&app, &rows).await;
    let reviewer = app.reviewer("queue-rev", "30004");
    let newest: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(walk(&app, &reviewer, "").await, newest);
    assert_eq!(walk(&app, &reviewer, "sort=newest").await, newest);
    assert_eq!(walk(&app, &reviewer, "sort=oldest").await, ids);
    let mut by_amount: Vec<(i64, String)> = rows
        .iter()
        .zip(&ids)
        .map(|((_, amount), id)| (*amount, id.clone()))
        .collect();
    by_amount.sort();
    let ascending: Vec<String> = by_amount.iter().map(|(_, id)| id.clone()).collect();
    assert_eq!(walk(&app, &reviewer, "sort=amount_asc").await, ascending);
    let descending: Vec<String> = ascending.iter().rev().cloned().collect();
    assert_eq!(walk(&app, &reviewer, "sort=amount_desc").await, descending);

    // The total counts what the filters match, not the page.
    let page = app
        .get("/api/v1/loan-requests?limit=2", Some(&reviewer))
        .await;
    assert_eq!(page.json["total"], 5);
    assert_eq!(page.json["total_is_lower_bound"], false);
    // Another bank's reviewer counts none of them.
    let other = app.reviewer("queue-other", "30003");
    let none = app.get("/api/v1/loan-requests", Some(&other)).await;
    assert_eq!(none.json["total"], 0);

    // A cursor belongs to its order: used with another, it is refused.
    let next = page.json["next_cursor"].as_str().expect("next");
    app.get(
        &format!("/api/v1/loan-requests?limit=2&sort=oldest&cursor={next}"),
        Some(&reviewer),
    )
    .await
    .assert_problem(400, "invalid-parameter");
    app.get("/api/v1/loan-requests?sort=largest", Some(&reviewer))
        .await
        .assert_problem(400, "invalid-parameter");
}

async fn company_names_are_searched_in_any_case(app: TestApp) {
    let ids = seed(
        &app,
        &[
            ("Fromagerie DUPONT", 1_000_000),
            ("Garage Dupontel", 1_000_000),
            ("Boulangerie Martin", 1_000_000),
            ("Atelier 100% Bois", 1_000_000),
            ("Atelier 1000 Bois", 1_000_000),
        ],
    )
    .await;
    let reviewer = app.reviewer("name-rev", "30004");
    let found = |query: &'static str| {
        let app = &app;
        let reviewer = reviewer.clone();
        async move {
            let page = app
                .get(
                    &format!("/api/v1/loan-requests?name={query}"),
                    Some(&reviewer),
                )
                .await;
            assert_eq!(page.status, 200, "{}", page.text);
            let mut got = ids_of(&page.json);
            got.sort();
            (got, page.json["total"].clone())
        }
    };
    let mut dupont = vec![ids[0].clone(), ids[1].clone()];
    dupont.sort();
    assert_eq!(found("dupont").await, (dupont, json!(2)));
    assert_eq!(
        found("fromagerie%20dupont").await,
        (vec![ids[0].clone()], json!(1))
    );
    // % and _ are text, not patterns.
    assert_eq!(found("100%25").await, (vec![ids[3].clone()], json!(1)));
    assert_eq!(found("1_0").await.1, json!(0));
    assert_eq!(found("notaname").await.1, json!(0));
    for bad in ["x", "%20%20a%20%20"] {
        let refused = app
            .get(
                &format!("/api/v1/loan-requests?name={bad}"),
                Some(&reviewer),
            )
            .await;
        refused.assert_problem(400, "invalid-parameter");
        assert_eq!(
            refused.json["errors"][0]["field"], "name",
            "{}",
            refused.text
        );
    }
}

async fn the_unread_filter_keeps_what_the_other_side_wrote(app: TestApp) {
    let ids = seed(
        &app,
        &[("Garage Petit", 1_000_000), ("Garage Grand", 1_000_000)],
    )
    .await;
    let reviewer = app.reviewer("unread-rev", "30004");
    // The applicant of the second request writes to the bank.
    let owner = app.applicant("queue-owner-1");
    let posted = app
        .post(
            &format!("/api/v1/loan-requests/{}/messages", ids[1]),
            Some(&owner),
            &json!({"body": "Bonjour, voici nos bilans."}),
        )
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    let unread = app
        .get("/api/v1/loan-requests?unread=true", Some(&reviewer))
        .await;
    assert_eq!(
        ids_of(&unread.json),
        vec![ids[1].clone()],
        "{}",
        unread.text
    );
    assert_eq!(unread.json["total"], 1);
    // Their own unread filter: the applicant has nothing unread from the bank.
    let mine = app
        .get("/api/v1/loan-requests?unread=true", Some(&owner))
        .await;
    assert_eq!(mine.json["total"], 0, "{}", mine.text);
    // Once the reviewer reads the thread, the filter drops it.
    let read = app
        .get(
            &format!("/api/v1/loan-requests/{}/messages", ids[1]),
            Some(&reviewer),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
    let after = app
        .get("/api/v1/loan-requests?unread=true", Some(&reviewer))
        .await;
    assert_eq!(after.json["total"], 0, "{}", after.text);
    // Admins read threads without a read state; a value other than true/false is wrong.
    let admin = app.admin();
    let refused = app
        .get("/api/v1/loan-requests?unread=true", Some(&admin))
        .await;
    refused.assert_problem(400, "invalid-parameter");
    assert_eq!(refused.json["errors"][0]["code"], "not-allowed");
    app.get("/api/v1/loan-requests?unread=yes", Some(&reviewer))
        .await
        .assert_problem(400, "invalid-parameter");
}

on_both_backends!(
    the_queue_sorts_pages_both_ways_and_counts,
    company_names_are_searched_in_any_case,
    the_unread_filter_keeps_what_the_other_side_wrote,
);
