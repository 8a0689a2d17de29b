//! @generated from the `citations` table; hand-written behaviour belongs elsewhere.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "citations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub source_id: i32,
    pub excerpt: Option<String>,
    pub event_id: Option<i32>,
    pub statement_id: Option<i32>,
    pub casualty_report_id: Option<i32>,
    pub affiliation_id: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
