//! Talking to the API over HTTP: requests with a bearer token, and the answers read
//! whole.

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

use crate::TestApp;

impl TestApp {
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base_url))
    }

    /// Sends and returns status, headers and the body as JSON (Null when empty or not
    /// JSON).
    pub async fn send(&self, builder: RequestBuilder) -> Reply {
        let response = builder.send().await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            text,
            json,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut builder = self.request(Method::GET, path);
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        self.send(builder).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        let mut builder = self.request(Method::POST, path).json(body);
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        self.send(builder).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        let mut builder = self.request(Method::PUT, path).json(body);
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        self.send(builder).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        let mut builder = self.request(Method::DELETE, path);
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        self.send(builder).await
    }

    /// Submits a request and asserts it was created.
    pub async fn submit(&self, token: &str, body: &Value) -> Value {
        let reply = self.post("/api/v1/loan-requests", Some(token), body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        reply.json
    }

    /// Applies a workflow action with the current ETag.
    pub async fn act(&self, token: &str, id: &str, action: &str, body: Option<&Value>) -> Reply {
        let current = self
            .get(&format!("/api/v1/loan-requests/{id}"), Some(token))
            .await;
        let etag = current
            .headers
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("\"0\"")
            .to_owned();
        let mut builder = self
            .request(
                Method::POST,
                &format!("/api/v1/loan-requests/{id}/{action}"),
            )
            .bearer_auth(token)
            .header("if-match", etag);
        if let Some(body) = body {
            builder = builder.json(body);
        }
        self.send(builder).await
    }
}

impl TestApp {
    /// The owner asks for the guarantee identifier of their request (no body).
    pub async fn ask_identifier(&self, owner: &str, id: &str) -> Reply {
        self.send(
            self.request(
                Method::POST,
                &format!("/api/v1/loan-requests/{id}/guarantee"),
            )
            .bearer_auth(owner),
        )
        .await
    }

    /// The owner obtains the guarantee identifier of their pre-approved request; its
    /// canonical form.
    pub async fn obtain_identifier(&self, owner: &str, id: &str) -> String {
        let reply = self.ask_identifier(owner, id).await;
        assert!(
            reply.status == StatusCode::CREATED || reply.status == StatusCode::OK,
            "{}",
            reply.text
        );
        reply.json["identifier"]
            .as_str()
            .expect("identifier")
            .to_owned()
    }

    /// A reviewer grants a request on a guarantee identifier, at its current ETag.
    pub async fn grant(&self, reviewer: &str, id: &str, identifier: &str) -> Reply {
        self.act(
            reviewer,
            id,
            "grant",
            Some(&json!({"guarantee_identifier": identifier})),
        )
        .await
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    /// Asserts a problem+json answer with the given status and `type` slug.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, slug: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(
            self.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "body: {}",
            self.text
        );
        assert_eq!(
            self.json["type"],
            json!(format!("/problems/{slug}")),
            "body: {}",
            self.text
        );
        assert_eq!(self.json["status"], json!(status));
        assert!(self.json["title"].is_string() && self.json["detail"].is_string());
    }

    /// The field names of a validation problem.
    #[must_use]
    pub fn error_fields(&self) -> Vec<String> {
        self.json["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}
