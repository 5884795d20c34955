//! Account administration: Cognito in production, a table of the dev identity
//! provider on the embedded default.

use async_trait::async_trait;
use domain::ports::{CreateReviewerError, IdentityAdmin};
use domain::submission::{BankCode, EmailAddress};
use sea_orm::{ActiveValue::Set, EntityTrait, SqlErr};

use super::groups;
use crate::Store;
use crate::entity::dev_account;

/// Creates accounts in an Amazon Cognito user pool.
pub struct CognitoIdentityAdmin {
    client: aws_sdk_cognitoidentityprovider::Client,
    user_pool_id: String,
}

impl CognitoIdentityAdmin {
    #[must_use]
    /// A client of the pool `user_pool_id` in `region` (the pool's region may differ
    /// from the one of SES and S3).
    pub fn new(config: &aws_config::SdkConfig, region: &str, user_pool_id: String) -> Self {
        let config = aws_sdk_cognitoidentityprovider::config::Builder::from(config)
            .region(aws_sdk_cognitoidentityprovider::config::Region::new(
                region.to_owned(),
            ))
            .build();
        Self {
            client: aws_sdk_cognitoidentityprovider::Client::from_conf(config),
            user_pool_id,
        }
    }
}

#[async_trait]
impl IdentityAdmin for CognitoIdentityAdmin {
    #[tracing::instrument(name = "CognitoIdentityProvider.AdminCreateUser", skip_all, fields(otel.kind = "client", rpc.system = "aws-api", rpc.service = "CognitoIdentityProvider", rpc.method = "AdminCreateUser"))]
    async fn create_reviewer(
        &self,
        email: &EmailAddress,
        bank: &BankCode,
    ) -> Result<String, CreateReviewerError> {
        use aws_sdk_cognitoidentityprovider::operation::admin_create_user::AdminCreateUserError;
        use aws_sdk_cognitoidentityprovider::types::{AttributeType, DeliveryMediumType};

        let attribute = |name: &str, value: &str| {
            AttributeType::builder()
                .name(name)
                .value(value)
                .build()
                .map_err(|e| CreateReviewerError::Unavailable(e.to_string()))
        };
        // Addresses are compared without case: `C.Martin@…` and `c.martin@…` are one
        // account.
        let address = email.as_str().to_lowercase();
        // Cognito e-mails the reviewer a temporary password; they set theirs (and
        // their MFA) at first sign-in.
        let created = self
            .client
            .admin_create_user()
            .user_pool_id(&self.user_pool_id)
            .username(&address)
            .user_attributes(attribute("email", &address)?)
            .user_attributes(attribute("email_verified", "true")?)
            .user_attributes(attribute("custom:bank_id", bank.as_str())?)
            .desired_delivery_mediums(DeliveryMediumType::Email)
            .send()
            .await
            .map_err(|err| match err.into_service_error() {
                AdminCreateUserError::UsernameExistsException(_) => CreateReviewerError::Duplicate,
                AdminCreateUserError::InvalidParameterException(e) => {
                    CreateReviewerError::InvalidEmail(e.message().unwrap_or_default().to_owned())
                }
                other => CreateReviewerError::Unavailable(other.to_string()),
            })?;
        let user = created
            .user()
            .ok_or_else(|| CreateReviewerError::Unavailable("no user returned".to_owned()))?;
        let username = user.username().unwrap_or(&address).to_owned();
        let subject = user
            .attributes()
            .iter()
            .find(|a| a.name() == "sub")
            .and_then(|a| a.value())
            .map(str::to_owned);
        let grouped = self
            .client
            .admin_add_user_to_group()
            .user_pool_id(&self.user_pool_id)
            .username(&username)
            .group_name(groups::BANK_REVIEWERS)
            .send()
            .await;
        let failure = match (grouped, subject) {
            (Ok(_), Some(subject)) => return Ok(subject),
            (Ok(_), None) => "Cognito returned no subject".to_owned(),
            (Err(err), _) => err.into_service_error().to_string(),
        };
        // Leave nothing half-made: a user outside the group could never work.
        if let Err(err) = self
            .client
            .admin_delete_user()
            .user_pool_id(&self.user_pool_id)
            .username(&username)
            .send()
            .await
        {
            tracing::error!(error = %err.into_service_error(), "cannot remove a half-created reviewer");
        }
        Err(CreateReviewerError::Unavailable(failure))
    }
}

/// The dev identity provider's accounts, in the database.
pub struct DevIdentityAdmin {
    store: Store,
}

impl DevIdentityAdmin {
    #[must_use]
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

#[async_trait]
impl IdentityAdmin for DevIdentityAdmin {
    async fn create_reviewer(
        &self,
        email: &EmailAddress,
        bank: &BankCode,
    ) -> Result<String, CreateReviewerError> {
        let subject = uuid::Uuid::new_v4().to_string();
        let inserted = dev_account::Entity::insert(dev_account::ActiveModel {
            subject: Set(subject.clone()),
            email: Set(email.as_str().to_lowercase()),
            bank_id: Set(bank.as_str().to_owned()),
            user_group: Set(groups::BANK_REVIEWERS.to_owned()),
            created_at: Set(crate::system::now()),
        })
        .exec_without_returning(self.store.connection())
        .await;
        match inserted {
            Ok(_) => Ok(subject),
            Err(err) => match err.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => Err(CreateReviewerError::Duplicate),
                _ => Err(CreateReviewerError::Unavailable(err.to_string())),
            },
        }
    }
}
