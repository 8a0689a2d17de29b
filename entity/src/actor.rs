//! @generated from the `actors` table; hand-written behaviour belongs elsewhere.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "actors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub key: String,
    pub kind: String,
    pub name: String,
    pub name_folded: String,
    pub country_code: Option<String>,
    pub description: Option<String>,
    pub wikidata_id: Option<String>,
    pub version: i32,
    pub archived_at: Option<DateTimeUtc>,
    pub merged_into_id: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
