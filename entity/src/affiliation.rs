//! @generated from the `affiliations` table; hand-written behaviour belongs elsewhere.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "affiliations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub key: String,
    pub actor_id: i32,
    pub organization_id: i32,
    pub role: String,
    pub from_date: Option<Date>,
    pub to_date: Option<Date>,
    pub date_precision: String,
    pub note: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
