use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pending_grants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub loan_request_id: Uuid,
    pub identifier: String,
    pub requested_by: String,
    pub requested_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
