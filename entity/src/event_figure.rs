//! @generated from the `event_figures` table; hand-written behaviour belongs elsewhere.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "event_figures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub category: String,
    pub position: i16,
    pub low: Option<i64>,
    pub best: Option<i64>,
    pub high: Option<i64>,
    pub high_open: bool,
    pub rule: String,
    pub sub_low: Option<i64>,
    pub sub_best: Option<i64>,
    pub sub_high: Option<i64>,
    pub sub_high_open: Option<bool>,
    pub considered: String,
    pub excluded: String,
}

impl ActiveModelBehavior for ActiveModel {}
