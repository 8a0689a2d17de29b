//! @generated from the `statements` table; hand-written behaviour belongs elsewhere.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "statements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub key: String,
    pub speaker_id: i32,
    pub event_id: Option<i32>,
    pub text: String,
    pub text_folded: String,
    pub mode: String,
    pub kind: String,
    pub stated_on: Option<Date>,
    pub date_precision: Option<String>,
    pub version: i32,
    pub archived_at: Option<DateTimeUtc>,
    pub low_confidence: bool,
}

impl ActiveModelBehavior for ActiveModel {}
