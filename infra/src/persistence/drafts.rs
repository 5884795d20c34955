//! Applicants' drafts: one row each, replaced on save, forgotten when expired.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::loan_request::Subject;
use domain::ports::{Draft, DraftRepository, StorageError};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::{Store, storage};
use crate::entity::draft;

#[async_trait]
impl DraftRepository for Store {
    async fn draft(
        &self,
        applicant: &Subject,
        now: DateTime<Utc>,
    ) -> Result<Option<Draft>, StorageError> {
        let Some(row) = draft::Entity::find_by_id(applicant.as_str().to_owned())
            .one(&self.db)
            .await
            .map_err(storage)?
        else {
            return Ok(None);
        };
        if row.expires_at <= now {
            draft::Entity::delete_many()
                .filter(draft::Column::ApplicantSub.eq(applicant.as_str()))
                .filter(draft::Column::ExpiresAt.lte(now))
                .exec(&self.db)
                .await
                .map_err(storage)?;
            return Ok(None);
        }
        Ok(Some(Draft {
            body: row.body,
            updated_at: row.updated_at,
            expires_at: row.expires_at,
        }))
    }

    async fn save_draft(&self, applicant: &Subject, saved: &Draft) -> Result<(), StorageError> {
        draft::Entity::insert(draft::ActiveModel {
            applicant_sub: Set(applicant.as_str().to_owned()),
            body: Set(saved.body.clone()),
            updated_at: Set(saved.updated_at),
            expires_at: Set(saved.expires_at),
        })
        .on_conflict(
            OnConflict::column(draft::Column::ApplicantSub)
                .update_columns([
                    draft::Column::Body,
                    draft::Column::UpdatedAt,
                    draft::Column::ExpiresAt,
                ])
                .to_owned(),
        )
        .exec(&self.db)
        .await
        .map_err(storage)?;
        Ok(())
    }

    async fn delete_draft(&self, applicant: &Subject) -> Result<bool, StorageError> {
        let deleted = draft::Entity::delete_by_id(applicant.as_str().to_owned())
            .exec(&self.db)
            .await
            .map_err(storage)?;
        Ok(deleted.rows_affected > 0)
    }
}
