use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "loan_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub reference: String,
    pub status: String,
    pub version: i32,
    pub bank_id: String,
    pub applicant_sub: String,
    pub siren: String,
    pub siret: Option<String>,
    pub legal_name: String,
    pub legal_form: String,
    pub creation_date: Date,
    pub headcount: i64,
    pub revenue_cents: i64,
    pub payroll_cents: Option<i64>,
    pub balance_sheet_cents: Option<i64>,
    pub innovative: bool,
    pub collective_proceedings: bool,
    pub requested_amount_cents: i64,
    pub amortization_years: i16,
    pub contact_email: String,
    pub size_category: String,
    pub cap_cents: i64,
    pub guarantee_share_bp: i32,
    pub guaranteed_cents: i64,
    pub fee_schedule: String,
    pub total_fee_cents: i64,
    pub decision_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
