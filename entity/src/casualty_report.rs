//! @generated from the `casualty_reports` table; hand-written behaviour belongs elsewhere.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "casualty_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub key: String,
    pub event_id: i32,
    pub category: String,
    pub affected_group: Option<String>,
    pub low: i32,
    pub high: Option<i32>,
    pub as_of: Option<Date>,
    pub claimed_by_id: Option<i32>,
    pub status: String,
    pub note: Option<String>,
    pub version: i32,
    pub archived_at: Option<DateTimeUtc>,
    pub status_reason: Option<String>,
    pub best: Option<i32>,
    pub breakdown: Option<String>,
    pub preferred: bool,
}

impl ActiveModelBehavior for ActiveModel {}
