//! @generated from the `actor_aliases` table; hand-written behaviour belongs elsewhere.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "actor_aliases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub actor_id: i32,
    pub alias: String,
    pub alias_folded: String,
}

impl ActiveModelBehavior for ActiveModel {}
