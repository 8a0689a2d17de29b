//! @generated from the `sources` table; hand-written behaviour belongs elsewhere.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub key: String,
    pub kind: String,
    pub publisher: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub published_on: Option<Date>,
    pub status: String,
    pub archive_url: Option<String>,
    pub version: i32,
    pub archived_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
