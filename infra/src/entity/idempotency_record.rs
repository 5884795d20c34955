use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub applicant_sub: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub idem_key: String,
    pub body_fingerprint: String,
    /// Predates receipts: only the previous release's replicas read it (as their
    /// replay's status). This release's writers leave it to its column default, 201
    /// (migration m20261206_000009), until a later migration drops it.
    pub response_status: i32,
    pub response_body: String,
    pub loan_request_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
