//! @generated from the `events` table; hand-written behaviour belongs elsewhere.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub key: String,
    pub parent_id: Option<i32>,
    pub title: String,
    pub summary: Option<String>,
    pub event_type: String,
    pub sub_type: Option<String>,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub date_precision: String,
    pub period_end: Date,
    pub country_code: Option<String>,
    pub admin1: Option<String>,
    pub place: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub geo_precision: Option<String>,
    pub admin2: Option<String>,
    pub admin3: Option<String>,
    pub disorder_type: Option<String>,
    pub civilian_targeting: Option<bool>,
    pub source_scale: Option<String>,
    pub tags: Option<String>,
    pub version: i32,
    pub archived_at: Option<DateTimeUtc>,
    pub low_confidence: bool,
    pub geo_x: Option<f64>,
    pub geo_y: Option<f64>,
    pub geo_z: Option<f64>,
}

impl ActiveModelBehavior for ActiveModel {}
