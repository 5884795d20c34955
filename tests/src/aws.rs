//! The AWS side of the harness: a `moto_server` started by `scripts/test.sh` (its URL in
//! `PGE_TEST_MOTO_URL`), driven with the real `aws-sdk-*` clients. Each test provisions
//! its own user pool, bucket and sender domain (unique names), so tests run in parallel
//! on one server without seeing each other's state.

use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_s3 as s3;
use aws_sdk_sesv2 as ses;
use serde_json::Value;

/// Region of every test resource (Paris, as in production).
pub const REGION: &str = "eu-west-3";

/// Password of the test users (meets Cognito's default policy).
const PASSWORD: &str = "Correct-Horse-9-Battery";

/// The emulator's URL.
///
/// # Panics
/// When `PGE_TEST_MOTO_URL` is not set: the AWS tests need the emulator that
/// `scripts/test.sh` starts.
#[must_use]
pub fn moto_url() -> String {
    std::env::var("PGE_TEST_MOTO_URL").expect(
        "PGE_TEST_MOTO_URL is not set: run the suite with scripts/test.sh, which starts moto_server",
    )
}

/// SDK configuration for the emulator at `endpoint` (static test credentials).
#[must_use]
pub fn sdk_config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .endpoint_url(endpoint)
        .http_client(infra::aws::http_client())
        .credentials_provider(aws_sdk_s3::config::SharedCredentialsProvider::new(
            aws_sdk_s3::config::Credentials::new("test", "test", None, None, "moto"),
        ))
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(10))
                .connect_timeout(Duration::from_secs(2))
                .build(),
        )
        .build()
}

/// One test's AWS resources on the emulator.
pub struct Moto {
    pub url: String,
    pub sdk: SdkConfig,
    pub pool_id: String,
    pub client_id: String,
    pub bucket: String,
    /// A verified sender on a domain of this test's own.
    pub sender: String,
    pub cognito: cognito::Client,
    pub s3: s3::Client,
    http: reqwest::Client,
}

impl Moto {
    /// Creates a user pool (with `custom:bank_id` and the three groups), an app client,
    /// a documents bucket and a verified sender domain, all named uniquely.
    ///
    /// # Panics
    /// When the emulator refuses any of it.
    pub async fn provision() -> Self {
        let url = moto_url();
        let sdk = sdk_config(&url);
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let cognito = cognito::Client::new(&sdk);
        let pool = cognito
            .create_user_pool()
            .pool_name(format!("pge-{unique}"))
            .schema(
                cognito::types::SchemaAttributeType::builder()
                    .name("bank_id")
                    .attribute_data_type(cognito::types::AttributeDataType::String)
                    .mutable(true)
                    .build(),
            )
            .send()
            .await
            .expect("create user pool");
        let pool_id = pool
            .user_pool()
            .and_then(|p| p.id())
            .expect("pool id")
            .to_owned();
        let client = cognito
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("pge-spa")
            .generate_secret(false)
            .explicit_auth_flows(cognito::types::ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
            .explicit_auth_flows(cognito::types::ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .expect("create app client");
        let client_id = client
            .user_pool_client()
            .and_then(|c| c.client_id())
            .expect("client id")
            .to_owned();
        for group in [
            infra::identity::groups::APPLICANTS,
            infra::identity::groups::BANK_REVIEWERS,
            infra::identity::groups::ADMINS,
        ] {
            cognito
                .create_group()
                .user_pool_id(&pool_id)
                .group_name(group)
                .send()
                .await
                .expect("create group");
        }

        let s3 = s3::Client::from_conf(
            s3::config::Builder::from(&sdk)
                .force_path_style(true)
                .build(),
        );
        let bucket = format!("pge-docs-{unique}");
        s3.create_bucket()
            .bucket(&bucket)
            .create_bucket_configuration(
                s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(s3::types::BucketLocationConstraint::EuWest3)
                    .build(),
            )
            .send()
            .await
            .expect("create bucket");

        let domain = format!("{unique}.pge.test");
        ses::Client::new(&sdk)
            .create_email_identity()
            .email_identity(&domain)
            .send()
            .await
            .expect("create email identity");

        Self {
            url,
            sdk,
            pool_id,
            client_id,
            bucket,
            sender: format!("no-reply@{domain}"),
            cognito,
            s3,
            http: reqwest::Client::new(),
        }
    }

    /// The API's Cognito settings for this pool: the real issuer form, keys from the
    /// emulator's JWKS route.
    #[must_use]
    pub fn cognito_settings(&self) -> api::config::CognitoSettings {
        api::config::CognitoSettings {
            region: REGION.to_owned(),
            user_pool_id: self.pool_id.clone(),
            issuer: format!(
                "https://cognito-idp.{REGION}.amazonaws.com/{}",
                self.pool_id
            ),
            jwks_url: format!("{}/{}/.well-known/jwks.json", self.url, self.pool_id),
            client_ids: vec![self.client_id.clone()],
            staff: None,
        }
    }

    /// Creates a user in `group` (with `custom:bank_id` when given) and signs them in
    /// with `ADMIN_USER_PASSWORD_AUTH`; returns `(id token, access token)`.
    ///
    /// # Panics
    /// When the emulator refuses.
    pub async fn sign_in(
        &self,
        username: &str,
        group: &str,
        bank: Option<&str>,
    ) -> (String, String) {
        self.sign_in_as(username, Some(group), bank).await
    }

    /// An access token of a user in no group.
    pub async fn sign_in_without_group(&self, username: &str) -> String {
        self.sign_in_as(username, None, None).await.1
    }

    async fn sign_in_as(
        &self,
        username: &str,
        group: Option<&str>,
        bank: Option<&str>,
    ) -> (String, String) {
        let mut create = self
            .cognito
            .admin_create_user()
            .user_pool_id(&self.pool_id)
            .username(username)
            .message_action(cognito::types::MessageActionType::Suppress)
            .user_attributes(
                cognito::types::AttributeType::builder()
                    .name("email")
                    .value(format!("{username}@example.fr"))
                    .build()
                    .expect("attribute"),
            );
        if let Some(bank) = bank {
            create = create.user_attributes(
                cognito::types::AttributeType::builder()
                    .name("custom:bank_id")
                    .value(bank)
                    .build()
                    .expect("attribute"),
            );
        }
        create.send().await.expect("create user");
        self.cognito
            .admin_set_user_password()
            .user_pool_id(&self.pool_id)
            .username(username)
            .password(PASSWORD)
            .permanent(true)
            .send()
            .await
            .expect("set password");
        if let Some(group) = group {
            self.cognito
                .admin_add_user_to_group()
                .user_pool_id(&self.pool_id)
                .username(username)
                .group_name(group)
                .send()
                .await
                .expect("add to group");
        }
        let auth = self
            .cognito
            .admin_initiate_auth()
            .user_pool_id(&self.pool_id)
            .client_id(&self.client_id)
            .auth_flow(cognito::types::AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .expect("sign in");
        let result = auth.authentication_result().expect("tokens");
        (
            result.id_token().expect("id token").to_owned(),
            result.access_token().expect("access token").to_owned(),
        )
    }

    /// An access token (the API's bearer) of a new user in `group`.
    pub async fn token(&self, username: &str, group: &str, bank: Option<&str>) -> String {
        self.sign_in(username, group, bank).await.1
    }

    /// The e-mails the emulator accepted from this test's sender (`ses.Message` of
    /// `/moto-api/data.json`).
    ///
    /// # Panics
    /// When the emulator cannot be read.
    pub async fn sent_emails(&self) -> Vec<Value> {
        let mut last = None;
        // The data route can answer 500 once after some S3 calls: retry a few times.
        for _ in 0..5 {
            match self
                .http
                .get(format!("{}/moto-api/data.json", self.url))
                .send()
                .await
            {
                Ok(r) if r.status().is_success() => {
                    let data: Value = r.json().await.expect("data.json");
                    return collect_messages(&data, &self.sender);
                }
                Ok(r) => last = Some(r.status().to_string()),
                Err(e) => last = Some(e.to_string()),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("cannot read moto's data.json: {last:?}");
    }
}

/// Finds the messages sent from `sender` wherever `data.json` keeps them (it nests them
/// by account and region).
fn collect_messages(data: &Value, sender: &str) -> Vec<Value> {
    let mut found = Vec::new();
    let mut stack = vec![&data["ses"]];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                let source = map.get("source").and_then(Value::as_str);
                if source.is_some_and(|s| s.contains(sender)) {
                    found.push(value.clone());
                } else {
                    stack.extend(map.values());
                }
            }
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    found
}
