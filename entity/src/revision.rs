//! @generated from the `revisions` table; hand-written behaviour belongs elsewhere.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub node_type: String,
    pub node_id: i32,
    pub operation: String,
    pub author: String,
    pub at: DateTimeUtc,
    pub changes: String,
}

impl ActiveModelBehavior for ActiveModel {}
