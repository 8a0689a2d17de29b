//! @generated from the `external_ids` table; hand-written behaviour belongs elsewhere.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "external_ids")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub node_type: String,
    pub node_id: i32,
    pub dataset: String,
    pub external_id: String,
    pub file: String,
    pub row_hash: String,
}

impl ActiveModelBehavior for ActiveModel {}
